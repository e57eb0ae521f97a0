// I/O edge of the configuration: the .env file and the process environment.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { parseCaBundle } from './ca-bundle.ts';
import { parseConfig, type ParseResult } from './parse.ts';
import type { Config } from './types.ts';
import { defaultLogFormat } from './log-format.ts';

/** The .env file: IMAGESPEC_ENV_FILE, else ./.env when present. */
export function envFilePath(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.IMAGESPEC_ENV_FILE) return env.IMAGESPEC_ENV_FILE;
  const candidate = `${cwd}/.env`;
  return existsSync(candidate) ? candidate : undefined;
}

/** Variables already in the process environment take precedence over the file. */
export function mergeEnv(fileValues: Record<string, string>, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { ...fileValues, ...env };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ParseResult & { envFile?: string } {
  const envFile = envFilePath(env, cwd);
  let fileValues: Record<string, string> = {};
  if (envFile) {
    try {
      fileValues = parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>;
    } catch (error) {
      return { ok: false, errors: [`IMAGESPEC_ENV_FILE: cannot read ${envFile}: ${(error as Error).message}`], envFile };
    }
  }
  const result = parseConfig(mergeEnv(fileValues, env), { logFormat: defaultLogFormat(env) });
  return { ...(result.ok ? withRegistryCa(result.config) : result), envFile };
}

/** Reads and checks the CA bundle the configuration names, if any. */
function withRegistryCa(config: Config): ParseResult {
  if (!config.registryCa) return { ok: true, config };
  const { file } = config.registryCa;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`IMAGESPEC_REGISTRY_CA_FILE: cannot read ${file}: ${(error as Error).message}`] };
  }
  const bundle = parseCaBundle(text);
  if (!bundle.ok) return { ok: false, errors: [`IMAGESPEC_REGISTRY_CA_FILE: ${file} ${bundle.error}`] };
  return { ok: true, config: { ...config, registryCa: { file, pem: bundle.pem } } };
}
