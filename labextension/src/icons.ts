/**
 * The extension's icons: a shield for governance, a shield with an exclamation mark for a block.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const SHIELD_PATH = 'M12 2 4 5v6c0 5 3.4 9.7 8 11 4.6-1.3 8-6 8-11V5l-8-3z';

export const shieldIcon = new LabIcon({
  name: 'jupyter-aigov:shield',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
    `<path class="jp-icon3" fill="#616161" d="${SHIELD_PATH}"/>` +
    '<path fill="#fff" d="m10.6 15.2-3-3 1.4-1.4 1.6 1.6 4.4-4.4 1.4 1.4-5.8 5.8z"/>' +
    '</svg>'
});

export const shieldAlertIcon = new LabIcon({
  name: 'jupyter-aigov:shield-alert',
  svgstr:
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">' +
    `<path class="jp-icon-warn0" fill="#e53935" d="${SHIELD_PATH}"/>` +
    '<path fill="#fff" d="M11 7h2v6h-2zm0 8h2v2h-2z"/>' +
    '</svg>'
});
