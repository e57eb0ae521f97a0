// I/O edge of the configuration: the .env file and the process environment.
import { existsSync, readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { parseConfig, type ParseResult } from './parse.ts';
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
  return { ...parseConfig(mergeEnv(fileValues, env), { logFormat: defaultLogFormat(env) }), envFile };
}
