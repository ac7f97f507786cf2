/**
 * Every size limit on API input, in one place (docs/security.md shows this table). Byte limits count
 * UTF-8 bytes, so a limit means the same thing for ASCII and for CJK text; a string is also refused
 * if it has more UTF-16 code units than its byte limit (a cheap pre-check, and what OpenAPI shows as
 * `maxLength`).
 *
 * Why these numbers: an exec'd command line plus environment must stay far below Linux's ARG_MAX
 * (2 MiB with the default 8 MiB stack) and one argument below MAX_ARG_STRLEN (128 KiB); every stored
 * string must stay far below PostgreSQL's btree row limit (~2.7 kB) where it is indexed (queue, ids,
 * names, rule ids); and a task spec must stay small enough that a list page of them is cheap.
 * The HTTP body limit itself (1 MiB by default) is configuration: HTTP_BODY_LIMIT_BYTES.
 */
export const INPUT_LIMITS = {
  /** Display names of tasks and workflows. */
  nameBytes: 200,
  queueBytes: 100,
  idempotencyKeyBytes: 200,
  command: { args: 1_000, argBytes: 65_536, totalBytes: 131_072 },
  cwdBytes: 4_096,
  /** `env` and `secretEnv` together: one budget, so moving a name between them never changes validity. */
  env: { entries: 256, nameBytes: 256, valueBytes: 32_768, totalBytes: 131_072 },
  labels: { entries: 64, keyBytes: 128, valueBytes: 1_024 },
  /** `headers` and `secretHeaders` together. */
  http: { urlBytes: 8_192, headers: 64, headerNameBytes: 256, headerValueBytes: 8_192, headersTotalBytes: 65_536, bodyBytes: 262_144 },
  workflow: { tasks: 10_000, keyBytes: 200, edgesPerTask: 10_000, pathBytes: 4_096 },
  repair: { reasonBytes: 2_000, nodeIdBytes: 200, requestedByBytes: 200 },
  diagnosisRule: { idBytes: 100, nameBytes: 200, descriptionBytes: 4_096, conditions: 32, metricBytes: 100, actionEntries: 16, actionKeyBytes: 64, actionValueBytes: 200 },
  /** Path and query parameters. */
  param: { idBytes: 200, textBytes: 200, cursorBytes: 512 },
} as const;
