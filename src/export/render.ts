/**
 * The manifest text: a yaml Document built from plain data, with comments attached to its nodes (the yaml
 * package's Document API), so the comments sit where they belong and the YAML is always well formed.
 */
import { Document, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

export interface RenderInput {
  /** The first line: `# yaml-language-server: $schema=<schemaRef>`. */
  schemaRef: string;
  /** Lines after it (tenant, time, what to do next). */
  header: string[];
  stack: string;
  apps: Array<{ key: string; body: Record<string, unknown>; header: string[]; footer: string[] }>;
}

/** Short lists of scalars read best on one line, as in the README's examples. */
const FLOW_KEYS = new Set([
  'identifierUris',
  'allowedMemberTypes',
  'roles',
  'scopes',
  'redirectUris',
  'knownClientApplications',
  'tags',
  'accessToken',
  'idToken',
  'saml2Token',
]);

export function renderManifest(input: RenderInput): string {
  const doc = new Document({ stack: input.stack, applications: Object.fromEntries(input.apps.map((a) => [a.key, a.body])) });
  doc.commentBefore = [` yaml-language-server: $schema=${input.schemaRef}`, ...input.header.map(comment)].join('\n');
  const apps = doc.get('applications') as YAMLMap;
  apps.items.forEach((pair, i) => {
    const a = input.apps[i];
    const key = pair.key as Node;
    key.commentBefore = a.header.map(comment).join('\n');
    if (i > 0) key.spaceBefore = true;
    if (a.footer.length) (pair.value as Node).comment = a.footer.map(comment).join('\n');
    flowLists(pair.value as Node);
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function comment(line: string): string {
  return line ? ` ${line}` : '';
}

function flowLists(node: Node | null | undefined): void {
  if (isMap(node)) {
    for (const pair of node.items as Pair[]) {
      const v = pair.value as Node;
      if (isSeq(v) && isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && v.items.every((x) => isScalar(x))) v.flow = true;
      else flowLists(v);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) flowLists(item as Node);
  } else if (isPair(node)) flowLists(node.value as Node);
}
