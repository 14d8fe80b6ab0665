// The status-bar item shown while transfers run: what runs and how far it is (from the TransferBoard); clicking it
// offers to cancel.
import * as vscode from 'vscode';
import { COMMANDS } from '../commands/ids';
import type { TransferBoard } from '../model/transfers';

export function createTransferStatusBar(board: TransferBoard): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('modelfileStudio.transfers', vscode.StatusBarAlignment.Left, 20);
  item.name = 'Modelfile Studio Transfers';
  item.command = COMMANDS.cancelTransfers;
  const render = (): void => {
    const text = board.statusText();
    if (text === '') {
      item.hide();
      return;
    }
    item.text = text;
    item.tooltip = board.tooltip();
    item.show();
  };
  const subscription = board.onChange(render);
  render();
  return new vscode.Disposable(() => {
    subscription.dispose();
    item.dispose();
  });
}
