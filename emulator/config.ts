import { z } from 'zod';

/** The emulator's own environment (it shares no code with the subgraph): EMULATOR_* and LOG_LEVEL. */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EmulatorEnvSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EMULATOR_PORT: int(0, 65535).default(4010),
  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_SEED: int(0, 2 ** 31 - 1).default(20261123),
  EMULATOR_VEHICLES: int(10, 1_000_000).default(3000),
  EMULATOR_LATENCY_MS: int(0, 60000).default(0),
  /** Search answers carry owners' fødselsnummer, as for an integration whose roles allow it. */
  EMULATOR_SEARCH_FNR: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Comma-separated Fiks organisations (UUIDs) that have granted the integration access, besides the default one. */
  EMULATOR_FIKS_ORG_IDS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().uuid('each entry must be a UUID'))),
});

export type EmulatorEnv = z.infer<typeof EmulatorEnvSchema>;

/** Parses EMULATOR_* variables; throws an Error naming the first bad variable (never echoing its value). */
export function parseEmulatorEnv(env: NodeJS.ProcessEnv): EmulatorEnv {
  const result = EmulatorEnvSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const error = new Error(`${String(issue?.path[0] ?? 'environment')}: ${issue?.message ?? 'invalid'}`);
    // The name the subgraph's start-up shows the message for (src/lifecycle.ts).
    error.name = 'ConfigError';
    throw error;
  }
  return result.data;
}
