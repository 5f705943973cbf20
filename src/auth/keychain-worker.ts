/**
 * Runs keychain operations in a child process. @napi-rs/keyring connects to D-Bus
 * synchronously (in the Entry constructor) and a hung bus or keyring daemon blocks that thread
 * for good: in the main process that hangs the CLI, and in a worker thread it still blocks the
 * process from exiting. A child process can be killed, so the parent bounds every call with a
 * timeout that really ends it.
 *
 * Protocol: one JSON request on stdin ({service, ops: [...]}) and one JSON reply on stdout.
 * Secrets travel over these pipes only, never argv.
 */
import type { KeychainOp, KeychainReply } from './keychain-protocol.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<void> {
  let reply: KeychainReply;
  try {
    const request = JSON.parse(await readStdin()) as { service: string; ops: KeychainOp[] };
    const { Entry } = await import('@napi-rs/keyring');
    // On Linux, the Secret Service only: the default silently falls back to the kernel
    // keyring, which forgets everything at reboot.
    const options = { linux: { store: 'secret-service' as const } };
    const results: (string | boolean | null)[] = [];
    for (const op of request.ops) {
      const entry = new Entry(request.service, op.account, options);
      if (op.op === 'get') results.push(entry.getPassword() ?? null);
      else if (op.op === 'set') {
        entry.setPassword(op.secret);
        results.push(true);
      } else results.push(entry.deleteCredential());
    }
    reply = { ok: true, results };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  process.stdout.write(JSON.stringify(reply));
}

void main();
