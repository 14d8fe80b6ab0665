// The Models view (activity-bar container `modelfileStudio`): groups by registry/namespace, models with size and
// quantization and a Markdown tooltip of their details. Rows are built from the shared listing (ModelsService)
// and rebuilt whenever it changes; the labels and texts come from client/model (grouping, format).
import * as vscode from 'vscode';
import type { ModelListEntry } from '../../core/cache';
import { COMMANDS } from '../commands/ids';
import { formatBytes, modelDescription, modelTooltipMarkdown } from '../model/format';
import { groupModels, groupSummary, type ModelGroup } from '../model/grouping';
import type { ModelsService } from '../models';

export const MODELS_VIEW_ID = 'modelfileStudio.models';

export interface GroupNode {
  readonly kind: 'group';
  readonly group: ModelGroup;
}

export interface ModelNode {
  readonly kind: 'model';
  readonly label: string;
  /** The list entry; commands invoked from the row read the name from here. */
  readonly model: ModelListEntry;
  readonly parent: GroupNode;
}

export type ModelsTreeNode = GroupNode | ModelNode;

/** A row as the view shows it: for the extension's API (scripts, tests) and nothing else. */
export interface TreeRow {
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  readonly children?: readonly TreeRow[];
}

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly models: ModelsService) {
    this.subscription = models.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: ModelsTreeNode): Promise<ModelsTreeNode[]> {
    if (node === undefined) {
      const { models } = await this.models.list();
      return groupModels(models).map((group) => ({ kind: 'group', group }));
    }
    if (node.kind === 'group') {
      return node.group.models.map((entry) => ({ kind: 'model', label: entry.label, model: entry.model, parent: node }));
    }
    return [];
  }

  getParent(node: ModelsTreeNode): ModelsTreeNode | undefined {
    return node.kind === 'model' ? node.parent : undefined;
  }

  getTreeItem(node: ModelsTreeNode): vscode.TreeItem {
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.group.key, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.group.key}`;
      item.description = groupSummary(node.group, formatBytes);
      item.iconPath = new vscode.ThemeIcon('repo');
      item.contextValue = 'modelGroup';
      item.tooltip = `${node.group.key}\nRegistry ${node.group.host}, namespace ${node.group.namespace}`;
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = `model:${node.model.fullName}`;
    item.description = modelDescription(node.model);
    const tooltip = new vscode.MarkdownString(modelTooltipMarkdown(node.model, Date.now()));
    tooltip.supportHtml = false;
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(node.model.capabilities.includes('embedding') ? 'symbol-array' : 'hubot');
    item.contextValue = 'model';
    item.accessibilityInformation = { label: `${node.model.name}, ${modelDescription(node.model)}` };
    item.command = { title: 'Show Modelfile', command: COMMANDS.showModelfile, arguments: [{ name: node.model.name }] };
    return item;
  }

  /** What the view shows right now, as plain rows. */
  async rows(): Promise<TreeRow[]> {
    const toRow = async (node: ModelsTreeNode): Promise<TreeRow> => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const description = typeof item.description === 'string' ? item.description : '';
      const children = node.kind === 'group' ? await Promise.all((await this.getChildren(node)).map(toRow)) : undefined;
      return { label, description, contextValue: item.contextValue ?? '', ...(children === undefined ? {} : { children }) };
    };
    return Promise.all((await this.getChildren()).map(toRow));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
