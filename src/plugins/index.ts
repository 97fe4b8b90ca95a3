export {
  computeMetrics,
  type Metric,
  PluginError,
  type Policy,
  type PolicyAction,
  type PolicyView,
  policySteps,
} from "./api.js";
export { type LoadedPlugins, loadPlugins } from "./load.js";
