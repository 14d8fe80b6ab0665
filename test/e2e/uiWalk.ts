// The UI walk: a normal (non-development) window with the installed extension. Opens the fixture `Modelfile` through
// Quick Open, waits for TextMate colours, reads the colours of a few tokens from the DOM and saves a screenshot.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';

export interface UiWalkResult {
  readonly screenshot: string;
  /** Status-bar language of the active editor, e.g. "Modelfile". */
  readonly languageMode: string;
  /** Computed CSS colour of the first editor token with each text, e.g. { FROM: 'rgb(86, 156, 214)' }. */
  readonly colours: Readonly<Record<string, string>>;
  /** Texts of the spans painted by bracket-pair colourization (brackets in strings and prose must not be among them). */
  readonly colouredBrackets: readonly string[];
}

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

export async function walkUi(
  browser: Browser,
  serverUrl: string,
  workspace: string,
  resultsDir: string,
  record: (line: string) => void,
): Promise<UiWalkResult> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('console', (message) => record(`[ui ${message.type()}] ${message.text()}`));
  try {
    await page.goto(`${serverUrl}?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 30_000 });
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
    await page.mouse.move(1, 1); // no hover widget in the picture
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
    const screenshot = join(resultsDir, 'e2e-modelfile.png');
    await page.screenshot({ path: screenshot });
    return { screenshot, languageMode, colours, colouredBrackets };
  } catch (error) {
    await page.screenshot({ path: join(resultsDir, 'e2e-ui-failure.png') }).catch(() => undefined);
    throw error;
  } finally {
    await page.close().catch(() => undefined);
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

async function openWithQuickOpen(page: Page, fileName: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 640, y: 400 } }).catch(() => undefined);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(fileName);
  const exactName = page.locator('.label-name', { hasText: new RegExp(`^${fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: exactName }).first();
  await row.click({ timeout: 10_000 });
  await page.locator(`.tab.active[aria-label^="${fileName}"]`).waitFor({ timeout: 10_000 });
}
