-- A headless Neovim (0.7+) as a second, independent LSP client of the Modelfile language server. Started by
-- test/lsp/neovim.test.ts; it attaches the server to the buffer, waits for pushed diagnostics, asks for a hover and
-- a completion, edits a line (didChange), and writes what it saw as JSON to $MODELFILE_NVIM_RESULT.
local result_path = os.getenv('MODELFILE_NVIM_RESULT')
local node = os.getenv('MODELFILE_NVIM_NODE') or 'node'
local server = os.getenv('MODELFILE_NVIM_SERVER')
local models = os.getenv('MODELFILE_NVIM_MODELS')
local results = { steps = {} }

local function finish(code)
  local file = io.open(result_path, 'w')
  file:write(vim.fn.json_encode(results))
  file:close()
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. code) end
end

local function step(name) table.insert(results.steps, name) end

local function codes(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, { line = d.lnum, col = d.col, code = d.code, severity = d.severity, message = d.message, source = d.source })
  end
  table.sort(list, function(a, b) return a.line < b.line or (a.line == b.line and tostring(a.code) < tostring(b.code)) end)
  return list
end

local function has_code(buf, code)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code then return true end
  end
  return false
end

local function first_result(responses)
  for _, response in pairs(responses or {}) do
    if response.result ~= nil then return response.result end
  end
  return nil
end

local function main()
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'modelfile',
    cmd = { node, server, '--stdio' },
    root_dir = vim.fn.expand('%:p:h'),
    settings = { modelfileStudio = { modelsDirectory = models } },
    -- Neovim 0.7 answers workspace/configuration but does not announce it: push the settings once started.
    on_init = function(client)
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
    end,
  })
  results.client_id = client_id
  vim.lsp.buf_attach_client(buf, client_id)
  step('attached')

  results.got_diagnostics = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  results.diagnostics = codes(buf)
  step('diagnostics')

  local uri = vim.uri_from_bufnr(buf)
  local hover = first_result(vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = uri }, position = { line = 2, character = 12 } }, 10000))
  results.hover = hover and hover.contents or vim.NIL
  step('hover')

  local completion = first_result(vim.lsp.buf_request_sync(buf, 'textDocument/completion', { textDocument = { uri = uri }, position = { line = 4, character = 2 } }, 10000))
  local items = completion and (completion.items or completion) or {}
  results.completion = {}
  for _, item in ipairs(items) do table.insert(results.completion, item.label) end
  step('completion')

  -- didChange: fix the misspelt parameter on line 2 and wait for its diagnostic to go away.
  vim.api.nvim_buf_set_lines(buf, 1, 2, false, { 'PARAMETER temperature 0.7' })
  results.fixed = vim.wait(10000, function() return not has_code(buf, 'MF010') end, 20)
  results.after_change = codes(buf)
  step('changed')

  local client = vim.lsp.get_client_by_id(client_id)
  if client then
    results.offset_encoding = client.offset_encoding
    client.stop()
  end
  finish(0)
end

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(main)
      if not ok then
        results.error = tostring(err)
        finish(3)
      end
    end)
  end,
})
