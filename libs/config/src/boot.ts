import { AppConfig, ConfigError, loadConfig } from './app-config';
import { loadEnvFile } from './dev-env';

/** Loads .env (dev), validates, and exits(1) with one message naming every bad variable. */
export function bootConfig(): AppConfig {
  loadEnvFile();
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}
