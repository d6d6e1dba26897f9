/**
 * The status bar item: the active notebook's policy and counts, red with a warning icon after a block.
 */
import { Widget } from '@lumino/widgets';

import type { ISummary } from './summary';

/** What the views need of an icon (a LabIcon is one). */
export interface IIconLike {
  element(options?: { tag?: 'div' | 'span'; className?: string }): HTMLElement;
}

export namespace GovernanceStatusItem {
  export interface IOptions {
    icons: { shield: IIconLike; alert: IIconLike };
    /** Called when the item is clicked (opens the panel). */
    onClick: () => void;
  }
}

/** The status bar item; `render` shows a summary. */
export class GovernanceStatusItem extends Widget {
  constructor(options: GovernanceStatusItem.IOptions) {
    super({ node: document.createElement('div') });
    this.id = 'jp-aigov-status';
    this.addClass('jp-aigov-status');
    this.icons = options.icons;
    this.node.setAttribute('role', 'button');
    this.node.tabIndex = 0;
    this.node.addEventListener('click', options.onClick);
    this.node.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        options.onClick();
      }
    });
  }

  /** Shows `summary`: text, tooltip, icon and the blocked attention. */
  render(summary: ISummary): void {
    const node = this.node;
    node.dataset.state = summary.state;
    node.dataset.blocked = String(summary.blocked);
    node.classList.toggle('jp-aigov-status-blocked', summary.blocked);
    node.title = summary.tooltip;
    node.setAttribute('aria-label', summary.text);
    const icon = (summary.blocked ? this.icons.alert : this.icons.shield).element({
      tag: 'span',
      className: 'jp-aigov-status-icon'
    });
    const text = document.createElement('span');
    text.className = 'jp-aigov-status-text';
    text.textContent = summary.text;
    node.replaceChildren(icon, text);
  }

  private readonly icons: GovernanceStatusItem.IOptions['icons'];
}
