/**
 * jupyter-aigov: the AI governance of the active notebook in the status bar, a side panel and notifications.
 */
import { ILabShell, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Signal } from '@lumino/signaling';

import { exportAndDownload, pushToRegistry } from './actions';
import { AigovClient } from './api';
import { blockMessage } from './blocks';
import { shieldAlertIcon, shieldIcon } from './icons';
import { NotebookGovernance } from './model';
import { GovernancePanel } from './panel';
import { GovernanceStatusItem } from './statusbar';
import { summarize } from './summary';

/** The command that shows the side panel. */
export const OPEN_PANEL_COMMAND = 'aigov:open-panel';
/** How long a block notification stays, in ms. */
const BLOCK_NOTICE_MS = 10000;
/** More new blocks than this in one poll make one notification, not one each. */
const MAX_BLOCK_NOTICES = 3;

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-aigov:plugin',
  description: 'AI governance of the notebook in front of you.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [IStatusBar, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    statusBar: IStatusBar | null,
    labShell: ILabShell | null
  ) => {
    const settings = app.serviceManager.serverSettings;
    const client = new AigovClient((url, init) => ServerConnection.makeRequest(url, init, settings), settings);
    const models = new Map<NotebookPanel, NotebookGovernance>();
    let active: NotebookGovernance | null = null;

    const openPanel = (): void => {
      if (labShell) {
        labShell.expandRight();
      }
      app.shell.activateById(panel.id);
    };
    app.commands.addCommand(OPEN_PANEL_COMMAND, {
      label: 'Show AI governance',
      caption: 'The AI governance of the active notebook: decisions, models, evidence export',
      execute: openPanel
    });

    const panel = new GovernancePanel({
      exportBundle: path => exportAndDownload(client, path),
      push: path => pushToRegistry(client, path),
      reportError: message => void Notification.error(message, { autoClose: BLOCK_NOTICE_MS })
    });
    panel.title.icon = shieldIcon;
    panel.title.caption = 'AI governance';
    app.shell.add(panel, 'right', { rank: 900 });

    const item = new GovernanceStatusItem({ icons: { shield: shieldIcon, alert: shieldAlertIcon }, onClick: openPanel });
    const show = (): void => {
      const status = active ? active.status : null;
      item.render(summarize(status));
      panel.render(status);
    };
    const itemActiveChanged = new Signal<unknown, void>(tracker);
    if (statusBar) {
      statusBar.registerStatusItem('jupyter-aigov:status', {
        item,
        align: 'left',
        rank: 50,
        isActive: () => tracker.currentWidget !== null,
        activeStateChanged: itemActiveChanged
      });
    }

    const modelFor = (notebook: NotebookPanel): NotebookGovernance => {
      let model = models.get(notebook);
      if (model) {
        return model;
      }
      const contents = app.serviceManager.contents;
      model = new NotebookGovernance({ client, path: contents.localPath(notebook.context.path) });
      const created = model;
      models.set(notebook, created);
      created.changed.connect(() => {
        if (created === active) {
          show();
        }
      });
      created.blocked.connect((_, blocks) => {
        const notices =
          blocks.length > MAX_BLOCK_NOTICES
            ? [`${blocks.length} AI calls were blocked in ${created.path}. The panel lists them with their rules.`]
            : blocks.map(block => blockMessage(block, created.path));
        for (const message of notices) {
          Notification.warning(message, {
            autoClose: BLOCK_NOTICE_MS,
            actions: [{ label: 'Show details', caption: 'Open the AI governance panel', callback: openPanel }]
          });
        }
      });
      notebook.context.pathChanged.connect((_, path) => created.setPath(contents.localPath(path)));
      notebook.disposed.connect(() => {
        models.delete(notebook);
        if (active === created) {
          active = null;
        }
        created.dispose();
      });
      return created;
    };

    const retarget = (): void => {
      const current = tracker.currentWidget;
      const next = current && !current.isDisposed ? modelFor(current) : null;
      if (next !== active) {
        active?.deactivate();
        active = next;
        active?.activate();
      }
      show();
      itemActiveChanged.emit();
    };
    tracker.currentChanged.connect(retarget);
    NotebookActions.executed.connect((_, { notebook }) => {
      for (const [widget, model] of models) {
        if (widget.content === notebook) {
          model.refresh();
        }
      }
    });
    retarget();
  }
};

export default plugin;
