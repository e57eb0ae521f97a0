// The log format's default lives with the configuration, which chooses it; the logger only applies it.

export type LogFormat = 'json' | 'text';

/** JSON inside a Pod, text on a terminal, unless the admin chose. */
export function defaultLogFormat(env: NodeJS.ProcessEnv): LogFormat {
  return env.KUBERNETES_SERVICE_HOST ? 'json' : 'text';
}
