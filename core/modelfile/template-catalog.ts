// What a TEMPLATE can name (spec §1.6): the functions Ollama registers plus Go's text/template builtins, the
// action keywords, and the data model a template is executed with (.System, .Messages, .Tools, …), each with a
// one-line description. Plain data for the checker, completion and hover; no logic beyond small lookups.

export interface TemplateFunction {
  name: string;
  /** A Go-style call shape, e.g. `eq ARG1 ARG2...`. */
  signature: string;
  description: string;
  /** `ollama` for the functions Ollama adds, `go` for text/template's builtins. */
  origin: 'ollama' | 'go';
}

export const TEMPLATE_FUNCTIONS: readonly TemplateFunction[] = [
  // Added by Ollama.
  { name: 'json', signature: 'json VALUE', description: 'Encodes the value as JSON (Go encoding/json), e.g. `{{ json .Function.Arguments }}`.', origin: 'ollama' },
  { name: 'currentDate', signature: 'currentDate', description: "Today's date as YYYY-MM-DD, for system prompts that state the date.", origin: 'ollama' },
  { name: 'yesterdayDate', signature: 'yesterdayDate', description: "Yesterday's date as YYYY-MM-DD.", origin: 'ollama' },
  { name: 'toTypeScriptType', signature: 'toTypeScriptType PROPERTY', description: 'Renders a tool parameter (a JSON-schema property) as a TypeScript type, e.g. `string | number`.', origin: 'ollama' },
  // Go text/template builtins.
  { name: 'and', signature: 'and ARG1 ARG2...', description: 'Returns the first empty argument or the last one; stops evaluating at the first empty argument.', origin: 'go' },
  { name: 'or', signature: 'or ARG1 ARG2...', description: 'Returns the first non-empty argument or the last one; stops evaluating at the first non-empty argument.', origin: 'go' },
  { name: 'not', signature: 'not ARG', description: 'Boolean negation of its single argument (empty values are false).', origin: 'go' },
  { name: 'len', signature: 'len ARG', description: 'Length of a string, slice, array, map or channel.', origin: 'go' },
  { name: 'index', signature: 'index COLLECTION KEY...', description: 'Indexes a slice, array or map: `index .Messages 0` is the first message.', origin: 'go' },
  { name: 'slice', signature: 'slice ITEM [LOW [HIGH [MAX]]]', description: 'Slices a string, slice or array: `slice $.Messages $i` is everything from $i on.', origin: 'go' },
  { name: 'print', signature: 'print ARG...', description: "Formats its arguments like Go's fmt.Sprint.", origin: 'go' },
  { name: 'printf', signature: 'printf FORMAT ARG...', description: "Formats its arguments like Go's fmt.Sprintf, e.g. `printf \"%s\\n\" .Content`.", origin: 'go' },
  { name: 'println', signature: 'println ARG...', description: "Formats its arguments like Go's fmt.Sprintln (spaces between, newline after).", origin: 'go' },
  { name: 'eq', signature: 'eq ARG1 ARG2...', description: 'True when ARG1 equals ARG2 (or any of the following arguments): `eq .Role "user"`.', origin: 'go' },
  { name: 'ne', signature: 'ne ARG1 ARG2', description: 'True when ARG1 differs from ARG2.', origin: 'go' },
  { name: 'lt', signature: 'lt ARG1 ARG2', description: 'True when ARG1 < ARG2 (basic types only).', origin: 'go' },
  { name: 'le', signature: 'le ARG1 ARG2', description: 'True when ARG1 <= ARG2 (basic types only).', origin: 'go' },
  { name: 'gt', signature: 'gt ARG1 ARG2', description: 'True when ARG1 > ARG2 (basic types only).', origin: 'go' },
  { name: 'ge', signature: 'ge ARG1 ARG2', description: 'True when ARG1 >= ARG2 (basic types only).', origin: 'go' },
  { name: 'html', signature: 'html ARG...', description: 'Escapes its arguments for HTML text.', origin: 'go' },
  { name: 'js', signature: 'js ARG...', description: 'Escapes its arguments for a JavaScript string.', origin: 'go' },
  { name: 'urlquery', signature: 'urlquery ARG...', description: 'Escapes its arguments for a URL query.', origin: 'go' },
  { name: 'call', signature: 'call FUNC ARG...', description: 'Calls a function value with the given arguments.', origin: 'go' },
];

/** Names a command may start with: everything in TEMPLATE_FUNCTIONS. */
export const TEMPLATE_FUNCTION_NAMES: ReadonlySet<string> = new Set(TEMPLATE_FUNCTIONS.map((f) => f.name));

export function templateFunction(name: string): TemplateFunction | undefined {
  return TEMPLATE_FUNCTIONS.find((f) => f.name === name);
}

export interface TemplateKeyword {
  name: string;
  syntax: string;
  description: string;
}

export const TEMPLATE_KEYWORDS: readonly TemplateKeyword[] = [
  { name: 'if', syntax: '{{ if PIPELINE }} … {{ else if PIPELINE }} … {{ else }} … {{ end }}', description: 'Renders the body when the pipeline is non-empty (not false, 0, nil or an empty string, slice or map).' },
  { name: 'else', syntax: '{{ else }}, {{ else if PIPELINE }}, {{ else with PIPELINE }}', description: 'Starts the alternative branch of if, range or with.' },
  { name: 'end', syntax: '{{ end }}', description: 'Closes if, range, with, define or block.' },
  { name: 'range', syntax: '{{ range [$i, $e :=] PIPELINE }} … {{ else }} … {{ end }}', description: 'Repeats the body for each element, with dot set to the element; the else branch runs when there are none.' },
  { name: 'with', syntax: '{{ with PIPELINE }} … {{ else with PIPELINE }} … {{ else }} … {{ end }}', description: 'Renders the body with dot set to the pipeline value when it is non-empty.' },
  { name: 'define', syntax: '{{ define "NAME" }} … {{ end }}', description: 'Defines a named template (top level only); call it with {{ template "NAME" . }}.' },
  { name: 'block', syntax: '{{ block "NAME" PIPELINE }} … {{ end }}', description: 'Defines a named template and executes it in place.' },
  { name: 'template', syntax: '{{ template "NAME" [PIPELINE] }}', description: 'Executes the named template, with dot set to the pipeline value.' },
  { name: 'break', syntax: '{{ break }}', description: 'Stops the innermost range loop.' },
  { name: 'continue', syntax: '{{ continue }}', description: 'Skips to the next iteration of the innermost range loop.' },
  { name: 'nil', syntax: 'nil', description: 'The untyped nil value (only as a function argument).' },
  { name: 'true', syntax: 'true', description: 'The boolean constant true.' },
  { name: 'false', syntax: 'false', description: 'The boolean constant false.' },
];

/** One field of the data a template is executed with. `type` is a Go-ish type name; `fields` describe the value
 *  (for a slice or map: its element). */
export interface TemplateField {
  name: string;
  type: string;
  description: string;
  fields?: readonly TemplateField[];
}

const TOOL_CALL_FIELDS: readonly TemplateField[] = [
  { name: 'ID', type: 'string', description: 'The identifier of the tool call (empty when the model did not give one).' },
  {
    name: 'Function',
    type: 'ToolCallFunction',
    description: 'The function the assistant called.',
    fields: [
      { name: 'Index', type: 'int', description: 'The position of this call among the message’s tool calls.' },
      { name: 'Name', type: 'string', description: 'The name of the called function.' },
      { name: 'Arguments', type: 'map[string]any', description: 'The call’s arguments; prints as JSON (or use `json .Function.Arguments`).' },
    ],
  },
];

const TOOL_PROPERTY_FIELDS: readonly TemplateField[] = [
  { name: 'Type', type: 'string | []string', description: 'The JSON-schema type of the parameter.' },
  { name: 'Items', type: 'any', description: 'For arrays: the schema of the elements.' },
  { name: 'Description', type: 'string', description: 'What the parameter means.' },
  { name: 'Enum', type: '[]any', description: 'The allowed values, when restricted.' },
];

const TOOL_FIELDS: readonly TemplateField[] = [
  { name: 'Type', type: 'string', description: 'The tool kind, normally "function".' },
  { name: 'Items', type: 'any', description: 'Extra schema items of the tool (rarely used).' },
  {
    name: 'Function',
    type: 'ToolFunction',
    description: 'The function the model may call; prints as its JSON definition.',
    fields: [
      { name: 'Name', type: 'string', description: 'The function name the model should use.' },
      { name: 'Description', type: 'string', description: 'What the function does.' },
      {
        name: 'Parameters',
        type: 'ToolFunctionParameters',
        description: 'The JSON schema of the arguments.',
        fields: [
          { name: 'Type', type: 'string', description: 'The schema type, normally "object".' },
          { name: 'Defs', type: 'any', description: 'Shared schema definitions ($defs).' },
          { name: 'Items', type: 'any', description: 'For array schemas: the element schema.' },
          { name: 'Required', type: '[]string', description: 'The names of the required parameters.' },
          {
            name: 'Properties',
            type: 'map[string]ToolProperty',
            description: 'Each parameter by name; iterate with `range $name, $prop := .Function.Parameters.Properties`.',
            fields: TOOL_PROPERTY_FIELDS,
          },
        ],
      },
    ],
  },
];

const MESSAGE_FIELDS: readonly TemplateField[] = [
  { name: 'Role', type: 'string', description: 'Who wrote the message: "system", "user", "assistant" or "tool".' },
  { name: 'Content', type: 'string', description: 'The text of the message (consecutive messages of the same role are joined by a blank line, except tool results).' },
  { name: 'Thinking', type: 'string', description: 'The reasoning an assistant message carried, when thinking was returned separately.' },
  { name: 'Images', type: '[]ImageData', description: 'Images attached to the message.' },
  { name: 'ToolCalls', type: '[]ToolCall', description: 'The tool calls of an assistant message.', fields: TOOL_CALL_FIELDS },
  { name: 'ToolName', type: 'string', description: 'For a tool result: the name of the tool that produced it.' },
  { name: 'ToolCallID', type: 'string', description: 'For a tool result: the ID of the call it answers.' },
];

/** The top-level data (dot at the start of the template; `$` anywhere). */
export const TEMPLATE_DATA: readonly TemplateField[] = [
  { name: 'System', type: 'string', description: 'The system prompt (in chat mode: all system messages joined by a blank line).' },
  { name: 'Prompt', type: 'string', description: 'The user prompt (completion mode; with a suffix, the text before the insertion point).' },
  { name: 'Response', type: 'string', description: 'The model’s answer so far: empty for the turn being generated. A template that names neither .Messages nor .Response gets `{{ .Response }}` appended.' },
  { name: 'Suffix', type: 'string', description: 'Fill-in-the-middle: the text after the insertion point. Naming it gives the model the "insert" capability.' },
  { name: 'Messages', type: '[]Message', description: 'The conversation (chat mode is used when the template names .Messages).', fields: MESSAGE_FIELDS },
  { name: 'Tools', type: '[]Tool', description: 'The tools offered to the model; prints as JSON. Naming it gives the model the "tools" capability.', fields: TOOL_FIELDS },
  { name: 'Think', type: 'bool', description: 'Whether the request asked the model to think.' },
  { name: 'ThinkLevel', type: 'string', description: 'The requested thinking effort (such as "low", "medium" or "high"), empty when not given.' },
  { name: 'IsThinkSet', type: 'bool', description: 'Whether the request set thinking explicitly (so .Think false means "asked not to think").' },
];

/** Looks up a field path from the top-level data, e.g. ['Messages', 'ToolCalls', 'Function', 'Name']
 *  (slices and maps are stepped through to their element). */
export function templateField(path: readonly string[]): TemplateField | undefined {
  let fields: readonly TemplateField[] | undefined = TEMPLATE_DATA;
  let found: TemplateField | undefined;
  for (const name of path) {
    found = fields?.find((f) => f.name === name);
    if (found === undefined) return undefined;
    fields = found.fields;
  }
  return found;
}
