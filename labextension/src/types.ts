/**
 * The JSON shapes of the server extension's REST API (`<base_url>/aigov/...`).
 */

/** One decision of the gateway: an AI call, a tool call, or a gateway error. */
export interface IDecision {
  seq: number;
  ts: string;
  event: string;
  model: string | null;
  provider: string | null;
  decision: 'allow' | 'redact' | 'block' | string;
  rules: string[];
  rule: string | null;
  reason: string | null;
  entities: Record<string, number>;
  tool: string | null;
  use_case: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  /** The file name of the evidence log; `seq` is unique only within it. */
  log: string;
}

/** One registered model and the state of its assessments (the inventory's row). */
export interface IModelRow {
  id?: string | null;
  name?: string | null;
  version?: string | null;
  provider?: string | null;
  risk_tier?: string | null;
  assessments?: Record<string, string> | null;
  approved?: boolean | null;
  next_review?: string | null;
  [key: string]: unknown;
}

/** The counts of one notebook's evidence. */
export interface ICounts {
  calls: number;
  allowed: number;
  redacted: number;
  blocked: number;
  redactions: number;
  tool_calls: number;
  tool_blocks: number;
}

/** The policy in force for a notebook, and where it was found. */
export interface IPolicy {
  name: string;
  path: string | null;
  sha256: string | null;
  origin: 'evidence' | 'discovered' | 'default' | string;
  use_case: string | null;
  /** Why the policy file could not be read, when it could not. */
  error?: string | null;
}

/** GET aigov/notebook?path=P: everything the status bar and the panel show for one notebook. */
export interface INotebookState {
  path: string;
  governed: boolean;
  kernel_extension: boolean;
  evidence: { logs: string[]; records: number; last_seq: number | null; last_ts: string | null };
  policy: IPolicy;
  counts: ICounts;
  last_decision: IDecision | null;
  last_block: IDecision | null;
  /** Oldest first, the newest 500 at most. */
  decisions: IDecision[];
  decisions_total: number;
  models: IModelRow[];
  registry: { configured: boolean; url: string | null };
  former_paths: string[];
}

/** POST aigov/export: the bundle written and where to download it from. */
export interface IExportResult {
  bundle: string;
  /** Relative to the server's base URL, e.g. `aigov/bundle?path=P&name=N`. */
  download: string;
  records: number;
  signer: string;
}

/** POST aigov/push: what the registry did with the bundle. */
export interface IPushResult {
  status: 'stored' | 'already held' | string;
  id: string | null;
  url: string | null;
  bundle: string;
  download?: string;
}
