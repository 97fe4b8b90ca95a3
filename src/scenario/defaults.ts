/** The allocation table used when a scenario gives none (docs/model.md §5); the ops fund is the token reserve [R5]. */
export const DEFAULT_ALLOCATION = {
  investors: { fraction: 0.1 },
  team: { fraction: 0.2 },
  advisors: { fraction: 0.05 },
  opsFund: { fraction: 0.5 },
  externalBusinessDevelopment: { fraction: 0.15 },
} as const;
