import type { DashboardState, HostMessage, PageMessage } from '../../src/shared/protocol';
import { byId } from './dom';
import { DashboardPage } from './view';
import './dashboard.css';

/**
 * The cost dashboard page: says `ready` (with the state a reload kept), then draws what the host sends. Messages
 * from the host are trusted (the host validates what the page sends it); every value is shown as text.
 */
interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const page = new DashboardPage(byId('app'), (m) => vscode.postMessage(m), (s: DashboardState) => vscode.setState(s));

window.addEventListener('message', (event: MessageEvent<HostMessage>) => page.onMessage(event.data));
// theme changes: redraw with the new colours
new MutationObserver(() => page.redraw()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

const state = vscode.getState();
page.loading('Loading costs…');
vscode.postMessage({ type: 'ready', ...(state ? { state } : {}) });
