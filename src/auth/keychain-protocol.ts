/** Messages between the CLI and its keychain child process (see keychain-worker.ts). */
export type KeychainOp = { op: 'get'; account: string } | { op: 'set'; account: string; secret: string } | { op: 'delete'; account: string };

export type KeychainReply = { ok: true; results: (string | boolean | null)[] } | { ok: false; error: string };
