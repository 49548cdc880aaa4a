/** Exit codes: a contract with users' scripts. */
export const EXIT = { ok: 0, stepFailed: 1, usage: 2, preflight: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
