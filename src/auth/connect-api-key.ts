import { AuthRequiredError, UsageError } from '../core/errors.js';
import { createApiClient } from '../api/factory.js';
import { checkCredential } from '../api/credential-check.js';
import { ApiKeyAuth } from './credentials.js';
import { saveConnection } from './save-connection.js';
import type { SecretStore } from './secret-store.js';
import type { Interaction } from './interaction.js';
import { connectApiSettings, type ConnectContext, type ConnectOutcome } from './connect-oauth.js';

/**
 * `fathom-sync connect --api-key`: the key from a hidden prompt, or the first line of piped
 * stdin; one API call proves it before it is saved, and a rejected key saves nothing.
 */
export async function connectWithApiKey(ctx: ConnectContext, req: { interaction: Interaction; store: SecretStore; apiUrl: string | null }): Promise<ConnectOutcome> {
  const key = await readApiKey(req.interaction);
  if (!key) throw new UsageError('the API key is empty; nothing was saved');
  if (/\s/.test(key)) throw new UsageError('the API key contains spaces; paste the key alone; nothing was saved');
  let check;
  try {
    check = await checkCredential(createApiClient({ settings: connectApiSettings(ctx, req.apiUrl), auth: new ApiKeyAuth(key, 'the key given'), clock: ctx.clock }));
  } catch (err) {
    if (err instanceof AuthRequiredError) {
      throw new UsageError('Fathom rejected this API key (401); nothing was saved. Copy the key again from https://fathom.video/customize#api-access-header');
    }
    throw err;
  }
  await saveConnection({ paths: ctx.paths, profile: ctx.profile, apiUrl: req.apiUrl, store: req.store, credential: { kind: 'api_key', apiKey: key } });
  return { kind: 'api_key', store: req.store, check };
}

async function readApiKey(interaction: Interaction): Promise<string> {
  if (interaction.canPrompt) return (await interaction.hidden('Fathom API key (input hidden):')).trim();
  return ((await interaction.stdinLine()) ?? '').trim();
}
