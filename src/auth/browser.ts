import { errorMessage } from '../core/errors.js';

/**
 * Opens the authorize URL in the user's browser. Never fatal: the URL has already been printed,
 * and `open` may "succeed" on a headless machine without showing anything. Only http(s) URLs are
 * handed to the OS.
 */
export async function openInBrowser(url: string, warn: (message: string) => void): Promise<void> {
  if (!/^https?:\/\//i.test(url)) {
    warn('not opening a browser for a URL that is not http(s); open the URL above yourself');
    return;
  }
  const failed = (reason: string) => warn(`could not open a browser (${reason}); open the URL above yourself`);
  try {
    const { default: open } = await import('open');
    const child = await open(url);
    child.once('error', (err: NodeJS.ErrnoException) => failed(err.code === 'ENOENT' ? 'no opener found; install xdg-utils' : errorMessage(err)));
    // xdg-open and friends report "no browser" only through their exit code.
    child.once('exit', (code) => {
      if (code) failed(`the opener exited with code ${code}`);
    });
  } catch (err) {
    failed(errorMessage(err));
  }
}
