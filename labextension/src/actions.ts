/**
 * What the panel's buttons do: export a bundle and download it, push a bundle to the registry.
 */
import type { AigovClient } from './api';
import { plural } from './format';

/** Starts a browser download of `url` as `name`, through a temporary `<a download>`. */
export function triggerDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
}

/** Exports an evidence bundle of the notebook at `path` and downloads it; says what was exported. */
export async function exportAndDownload(
  client: AigovClient,
  path: string,
  download: (url: string, name: string) => void = triggerDownload
): Promise<string> {
  const result = await client.exportBundle(path);
  download(client.downloadUrl(result.download), result.bundle);
  return `Exported ${result.bundle} (${plural(result.records, 'record')}, signed by ${result.signer}).`;
}

/** Pushes a bundle of the notebook at `path` to the server's registry; says what the registry did. */
export async function pushToRegistry(client: AigovClient, path: string): Promise<string> {
  const result = await client.push(path);
  const where = result.url ? ` at ${result.url}` : result.id ? ` as ${result.id}` : '';
  const what = result.status === 'stored' ? 'Pushed' : 'The registry already held';
  return `${what} ${result.bundle}${where}.`;
}
