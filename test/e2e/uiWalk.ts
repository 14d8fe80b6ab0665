// The UI walk: a normal (non-development) window with the installed extension, driven like a person would, with a
// screenshot per step in test-results/. (1) Opens the fixture `Modelfile` through Quick Open, waits for TextMate
// colours and reads the colours of a few tokens from the DOM. (2) Opens demo/errors.modelfile and reads the Problems
// panel. (3) Pulls the demo model from the local registry (test/e2e/demoEnvironment.ts) through the command palette,
// photographs the progress notification, cancels it, checks that a partial download stays behind, pulls again to
// completion. (4) Finds the model in the Modelfile Studio view, deletes it through its context menu and the modal
// confirmation, and sees it gone — from the view and from the models directory.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { listModels, partialsDir } from '../../core/cache';
import type { DemoEnvironment } from './demoEnvironment';

export interface UiWalkOptions {
  readonly root: string;
  readonly serverUrl: string;
  readonly workspace: string;
  readonly resultsDir: string;
  readonly demo: DemoEnvironment;
  readonly record: (line: string) => void;
}

export interface UiWalkResult {
  /** The highlighted Modelfile (step 1). */
  readonly screenshot: string;
  /** Every screenshot, by step, in the order taken. */
  readonly screenshots: Readonly<Record<string, string>>;
  /** Status-bar language of the active editor, e.g. "Modelfile". */
  readonly languageMode: string;
  /** Computed CSS colour of the first editor token with each text, e.g. { FROM: 'rgb(86, 156, 214)' }. */
  readonly colours: Readonly<Record<string, string>>;
  /** Texts of the spans painted by bracket-pair colourization (brackets in strings and prose must not be among them). */
  readonly colouredBrackets: readonly string[];
  /** The accessible labels of the Problems panel's marker rows for errors.modelfile (file rows left out). */
  readonly problems: readonly string[];
  readonly pull: PullObservations;
  readonly tree: TreeObservations;
}

export interface PullObservations {
  /** The text of the progress notification when it was photographed. */
  readonly progressText: string;
  /** Partial download files (`*.partial`) left in the models directory after Cancel. */
  readonly partialsAfterCancel: number;
  /** Whether the model was in the models directory right after Cancel (it must not be). */
  readonly listedAfterCancel: boolean;
  /** Whether the second pull put the model into the models directory. */
  readonly listedAfterPull: boolean;
  /** Partial files left once the second pull finished. */
  readonly partialsAfterPull: number;
  /** The notification that reports the finished pull (it says how much was downloaded). */
  readonly doneText: string;
  readonly secondPullSeconds: number;
}

export interface TreeObservations {
  /** Labels of the rows of the Modelfile Studio view after the pull. */
  readonly rowsAfterPull: readonly string[];
  /** The text of the confirmation dialog. */
  readonly confirmText: string;
  /** Labels of the rows after the delete. */
  readonly rowsAfterDelete: readonly string[];
  /** Whether the deleted model is still in the models directory (it must not be). */
  readonly listedAfterDelete: boolean;
}

/** What the walk expects of the extension's contributions (package.json). */
const PULL_COMMAND = 'Modelfile Studio: Pull Model'; // the title ends with an ellipsis
const VIEW_CONTAINER_TITLE = 'Modelfile Studio';
const DELETE_MENU_ITEM = /^Delete Model/;
const DELETE_BUTTON = /^Delete$/;

/** The few browser globals the page functions use (the project compiles without the DOM library). */
interface PageElement {
  readonly textContent: string | null;
  readonly className: string;
}
interface PageGlobals {
  readonly document: { querySelectorAll(selector: string): ArrayLike<PageElement> };
  getComputedStyle(element: PageElement): { readonly color: string };
}

/** Tokens whose colours the walk reports: an instruction keyword, template parts, a comment, a parameter name. */
export const PROBED_TOKENS = ['FROM', 'range', '{{', 'Messages', 'printf', '$m', 'temperature', '0.7', '# A', 'BOGUS'];

export async function walkUi(browser: Browser, options: UiWalkOptions): Promise<UiWalkResult> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (message) => options.record(`[ui ${message.type()}] ${message.text()}`));
  const screenshots: Record<string, string> = {};
  const shoot = async (step: string, keepPointer = false): Promise<string> => {
    const path = join(options.resultsDir, `e2e-${step}.png`);
    if (!keepPointer) {
      await page.mouse.move(800, 300); // no hover widget or tooltip in the picture
      await page.waitForTimeout(300);
    }
    await page.screenshot({ path });
    screenshots[step] = path;
    return path;
  };
  let step = 'start';
  try {
    await page.goto(`${options.serverUrl}?folder=${encodeURIComponent(options.workspace)}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 30_000 });

    step = 'colours';
    const highlight = await checkHighlighting(page);
    const screenshot = await shoot('modelfile');

    step = 'problems';
    await closeAllEditors(page);
    const problems = await readProblems(page, options.root, options.workspace);
    await shoot('problems');
    await closeAllEditors(page);
    await runCommand(page, 'View: Hide Panel');

    step = 'pull';
    const pull = await pullCancelAndPullAgain(page, options.demo, shoot);

    step = 'tree';
    const tree = await deleteFromTree(page, options.demo, shoot);

    return { screenshot, screenshots, ...highlight, problems, pull, tree };
  } catch (error) {
    await page.screenshot({ path: join(options.resultsDir, 'e2e-ui-failure.png') }).catch(() => undefined);
    throw new Error(`UI walk, step "${step}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** Step 1: the fixture Modelfile, its language mode and the colours of a few tokens. */
async function checkHighlighting(
  page: Page,
): Promise<{ languageMode: string; colours: Record<string, string>; colouredBrackets: string[] }> {
  await openWithQuickOpen(page, 'Modelfile');
  const editor = page.locator('.editor-instance .monaco-editor .view-lines');
  await editor.getByText('TEMPLATE', { exact: false }).first().waitFor({ timeout: 20_000 });
  // Colours arrive once the grammar has tokenized the visible lines; the keyword span then has its own class.
  await page.waitForFunction(
    () => {
      const page = globalThis as unknown as PageGlobals;
      return Array.from(page.document.querySelectorAll('.editor-instance .view-line span span')).some(
        (span) => span.textContent === 'FROM' && span.className !== 'mtk1',
      );
    },
    undefined,
    { timeout: 20_000 },
  );
  await waitForSteadyEditor(page);
  const languageMode = ((await page.locator('[id="status.editor.mode"]').first().textContent({ timeout: 10_000 })) ?? '').trim();
  const colours = await page.evaluate((probes: string[]) => {
    const page = globalThis as unknown as PageGlobals;
    const found: Record<string, string> = {};
    for (const span of Array.from(page.document.querySelectorAll('.editor-instance .view-line span span'))) {
      const text = (span.textContent ?? '').replace(/\u00a0/g, ' ');
      for (const probe of probes) {
        if (found[probe] === undefined && (text === probe || (probe.endsWith(' A') && text.startsWith(probe)))) {
          found[probe] = page.getComputedStyle(span).color;
        }
      }
    }
    return found;
  }, PROBED_TOKENS);
  const colouredBrackets = await page.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    return Array.from(page.document.querySelectorAll('.editor-instance .view-line span span'))
      .filter((span) => /\b(bracket-highlighting-\d+|unexpected-closing-bracket)\b/.test(span.className))
      .map((span) => span.textContent ?? '');
  });
  return { languageMode, colours, colouredBrackets };
}

/** Step 2: demo/errors.modelfile in the editor, and the Problems panel's rows once the language server reported. */
async function readProblems(page: Page, root: string, workspace: string): Promise<string[]> {
  copyFileSync(join(root, 'demo', 'errors.modelfile'), join(workspace, 'errors.modelfile'));
  await openWithQuickOpen(page, 'errors.modelfile');
  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row');
  // One row for the file, one per problem (the demo file has several); wait until the count holds for a second.
  let count = 0;
  let steadySince = Date.now();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await rows.count();
    if (now !== count) {
      count = now;
      steadySince = Date.now();
    } else if (count >= 2 && Date.now() - steadySince >= 1000) {
      break;
    }
    if (Date.now() > deadline) throw new Error(`the Problems panel shows ${count} rows`);
    await page.waitForTimeout(200);
  }
  await page.mouse.move(1, 1);
  const labels: string[] = [];
  for (const row of await rows.all()) labels.push((await row.innerText()).replace(/\s+/g, ' ').trim());
  return labels.filter((label) => /\bMF\d{3}\b/.test(label));
}

/** Step 3: pull through the palette, photograph the progress, cancel, check the partial, pull again to the end. */
async function pullCancelAndPullAgain(
  page: Page,
  demo: DemoEnvironment,
  shoot: (step: string) => Promise<string>,
): Promise<PullObservations> {
  const pulledName = `${demo.pullName}:latest`;
  const listed = async (): Promise<boolean> =>
    (await listModels(demo.modelsDir, { persistentCache: false })).models.some((m) => m.name === pulledName);
  const partials = (): number => {
    const dir = partialsDir(demo.modelsDir);
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.partial')).length : 0;
  };

  await runPullCommand(page, demo.pullName);
  const toast = progressToast(page);
  await toast.waitFor({ timeout: 20_000 });
  await page.locator('.notification-toast-container .notification-fade-in-done').first().waitFor({ timeout: 10_000 });
  // Photograph it once a few MB have arrived (the message reads "… 5.2 MB / 50 MB").
  await waitUntil(
    async () => Number(/([\d.]+) MB \/ /.exec((await toast.textContent().catch(() => '')) ?? '')?.[1] ?? 0) >= 5,
    20_000,
    'a pull progress of 5 MB',
  );
  const progressText = (await toast.innerText()).replace(/\s+/g, ' ').trim();
  await shoot('pull-progress');

  await toast.getByRole('button', { name: 'Cancel' }).click({ timeout: 10_000 });
  await toast.waitFor({ state: 'detached', timeout: 20_000 }).catch(() => undefined);
  await waitUntil(() => partials() > 0, 10_000, 'a partial download after Cancel');
  const partialsAfterCancel = partials();
  const listedAfterCancel = await listed();
  await clearNotifications(page);

  const started = Date.now();
  await runPullCommand(page, demo.pullName);
  await waitUntil(listed, 90_000, `${pulledName} in the models directory after the second pull`);
  const secondPullSeconds = (Date.now() - started) / 1000;
  const done = page.locator('.notification-toast-container').filter({ hasText: /Pulled / }).first();
  await done.waitFor({ timeout: 10_000 });
  const doneText = (await done.innerText()).replace(/\s+/g, ' ').trim();
  await shoot('pull-done');
  await clearNotifications(page);
  return {
    progressText,
    partialsAfterCancel,
    listedAfterCancel,
    listedAfterPull: await listed(),
    partialsAfterPull: partials(),
    doneText,
    secondPullSeconds,
  };
}

/** F1 → "Modelfile Studio: Pull Model" → the name → Enter. */
async function runPullCommand(page: Page, name: string): Promise<void> {
  await runCommand(page, PULL_COMMAND);
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await page.waitForTimeout(200); // the palette hands over to the command's input box
  await input.fill(name);
  await page.keyboard.press('Enter');
}

/** The notification toast of a running pull: it has a Cancel button. */
function progressToast(page: Page): Locator {
  return page
    .locator('.notification-toast-container')
    .filter({ has: page.getByRole('button', { name: 'Cancel' }) })
    .first();
}

/** Step 4: the model in the Modelfile Studio view; delete through the context menu and the modal dialog. */
async function deleteFromTree(
  page: Page,
  demo: DemoEnvironment,
  shoot: (step: string, keepPointer?: boolean) => Promise<string>,
): Promise<TreeObservations> {
  const pulledName = `${demo.pullName}:latest`;
  const view = await openStudioView(page);
  const rows = view.locator('.monaco-list-row');
  // Models are grouped by registry and namespace; a model row's accessible label starts with its full name.
  const row = view.locator(`.monaco-list-row[aria-label^="${pulledName}"]`).first();
  await row.waitFor({ timeout: 20_000 });
  await page.waitForTimeout(300);
  const rowsAfterPull = await rowLabels(rows);
  await shoot('models-view');

  await row.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item').filter({ has: page.locator('.action-label', { hasText: DELETE_MENU_ITEM }) }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.hover();
  await page.waitForTimeout(200);
  await shoot('delete-menu', true); // the pointer stays on the menu item
  await item.click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 10_000 });
  const confirmText = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
  await shoot('delete-confirm');
  await dialog.getByRole('button', { name: DELETE_BUTTON }).first().click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });

  await waitUntil(async () => (await row.count()) === 0, 20_000, 'the deleted model to leave the view');
  const listedAfterDelete = (await listModels(demo.modelsDir, { persistentCache: false })).models.some((m) => m.name === pulledName);
  await page.waitForTimeout(300);
  await shoot('models-after-delete');
  return { rowsAfterPull, confirmText, rowsAfterDelete: await rowLabels(rows), listedAfterDelete };
}

/** Opens the activity-bar container and returns its side-bar part. */
async function openStudioView(page: Page): Promise<Locator> {
  const entry = page.locator(`.activitybar a[aria-label^="${VIEW_CONTAINER_TITLE}"]`).first();
  await entry.waitFor({ timeout: 20_000 });
  const sidebar = page.locator('.part.sidebar');
  const title = sidebar.locator('.composite.title');
  if (!((await title.textContent().catch(() => '')) ?? '').toUpperCase().includes(VIEW_CONTAINER_TITLE.toUpperCase())) {
    await entry.click();
  }
  await waitForText(title, new RegExp(VIEW_CONTAINER_TITLE, 'i'), 10_000);
  return sidebar;
}

async function rowLabels(rows: Locator): Promise<string[]> {
  const labels: string[] = [];
  for (const row of await rows.all()) labels.push(((await row.getAttribute('aria-label')) ?? (await row.textContent()) ?? '').trim());
  return labels;
}

/** F1, the command's title, Enter on the exact row. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ hasText: title }).first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
}

/** Dismisses every notification toast (the bell's "Clear All Notifications"). */
async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.waitForTimeout(300);
}

async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  await page.waitForTimeout(300);
}

async function waitForText(locator: Locator, pattern: RegExp, timeoutMs: number): Promise<void> {
  await waitUntil(async () => pattern.test((await locator.textContent().catch(() => '')) ?? ''), timeoutMs, `text ${pattern}`);
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the editor's rendered lines stop changing for a moment: colours come first, bracket-pair colours only
 * after background tokenization has told the bracket parser which brackets sit in strings.
 */
async function waitForSteadyEditor(page: Page, quietMs = 1000, timeoutMs = 10_000): Promise<void> {
  const snapshot = (): Promise<string> =>
    page.evaluate(() => {
      const view = (globalThis as unknown as PageGlobals).document.querySelectorAll('.editor-instance .view-lines');
      return Array.from(view).map((element) => (element as unknown as { innerHTML: string }).innerHTML).join('');
    });
  const deadline = Date.now() + timeoutMs;
  let last = await snapshot();
  let steadySince = Date.now();
  while (Date.now() < deadline) {
    await page.waitForTimeout(200);
    const current = await snapshot();
    if (current !== last) {
      last = current;
      steadySince = Date.now();
    } else if (Date.now() - steadySince >= quietMs) {
      return;
    }
  }
}

/** Quick Open (Ctrl+P) and the file's row; tried again for a while, as a file made a moment ago may not be indexed yet. */
async function openWithQuickOpen(page: Page, fileName: string, timeoutMs = 30_000): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } }).catch(() => undefined);
  const input = page.locator('.quick-input-widget input');
  const exactName = page.locator('.label-name', { hasText: new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: exactName }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Control+P');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(fileName);
    try {
      await row.click({ timeout: 3_000 });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  await page.locator(`.tab.active[aria-label^="${fileName}"]`).waitFor({ timeout: 10_000 });
}
