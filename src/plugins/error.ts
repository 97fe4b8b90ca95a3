/** A plugin threw, or asked for an invalid value: stops that run naming the plugin and the day. */
export class PluginError extends Error {
  constructor(
    readonly plugin: string,
    readonly day: number,
    readonly reason: string,
  ) {
    super(`plugin "${plugin}" failed on day ${day}: ${reason}`);
    this.name = "PluginError";
  }
}
