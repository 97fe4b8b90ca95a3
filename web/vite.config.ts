import { fileURLToPath } from "node:url";
import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The dashboard: built into dist/web by `npm run build`, served by `bme serve`.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    target: "es2022",
  },
  worker: { format: "es" },
  server: { proxy: { "/api": "http://127.0.0.1:4173" } },
});
