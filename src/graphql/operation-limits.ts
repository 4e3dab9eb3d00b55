import { GraphQLError, Kind, Location, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode, type ValidationRule } from 'graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../domain/asset-list.js';
import { MAX_REPRESENTATIONS } from './entity-reference.js';

/**
 * What one operation may ask for. The 1 MiB body cap alone let one request carry thousands of aliased
 * lookups (`a0: assets(first: 100) {...} a1: ...`): it held the database pool for seconds and slowed
 * everyone else. A validation rule refuses such an operation before anything runs, and costs nothing on
 * the hot path: Mercurius validates a query text once and caches the outcome, good or bad.
 *
 * Fields are counted as they will be answered: each field inside `assets(first: n)` n times (the
 * maximum page when first is a variable, as the SDK sends it), and a fragment's fields wherever it is
 * spread, so neither pages nor fragments hide aliases. With only 500 fields counted once each, 20 pages
 * of 21 aliased uploadUrl still gave 18.7 MB in 3-5 s; at 5,000 the worst is about 2 MB in 0.2-0.4 s.
 * The ordinary operations pass: the SDK's and console's page counts 2,101 (a full page of every field
 * 3,001), their other operations at most 22; the full introspection query (GraphiQL's) 230 and
 * `_service { sdl }` 2, so neither needs an exemption.
 */
export const MAX_FIELDS = 5_000;
/**
 * Root fields that each read assets from the database or change them: `asset`, `assets`, `_entities`,
 * every mutation. 20 is the default database pool: one request cannot queue more list queries than that.
 */
export const MAX_LOOKUPS = 20;
/**
 * Parsing and validating cost time before any limit can count: 0.5-1 s for a 300 KB query of aliases,
 * each distinct text anew. The parser gives up after this many tokens (names, values, punctuation), which
 * keeps that under about 0.1 s: the SDK's largest operation has 80, the full introspection query about 200,
 * 1,000 aliased asset lookups about 11,000.
 */
export const MAX_TOKENS = 20_000;

const LOOKUP_FIELDS = new Set(['asset', 'assets', '_entities']);

export const operationLimits: ValidationRule = (context) => {
  const fragments = (name: string) => context.getFragment(name);
  const fields = new Counter(fragments, (field, inner) => 1 + pageSize(field) * inner());
  return {
    OperationDefinition(operation) {
      const isLookup = (name: string) => (operation.operation === 'query' ? LOOKUP_FIELDS.has(name) : name !== '__typename');
      // Root fields only: a lookup's own selection holds no further lookups.
      const lookups = new Counter(fragments, (field) => (isLookup(field.name.value) ? 1 : 0)).count(operation.selectionSet);
      const named = operation.name ? `Operation "${operation.name.value}"` : 'This operation';
      if (lookups > MAX_LOOKUPS) {
        context.reportError(new GraphQLError(tooManyLookups(named, operation, lookups), { nodes: operation }));
        return false;
      }
      const selected = fields.count(operation.selectionSet);
      if (selected > MAX_FIELDS) {
        const message = `${named} selects ${selected} fields, counting each field inside assets(first: n) n times (${MAX_PAGE_SIZE} when first is a variable); at most ${MAX_FIELDS} per request: select only the fields you use, ask for smaller pages, or split it into several requests.`;
        context.reportError(new GraphQLError(message, { nodes: operation }));
      }
      return false;
    },
  };
};

function tooManyLookups(named: string, operation: OperationDefinitionNode, lookups: number): string {
  if (operation.operation === 'mutation') return `${named} runs ${lookups} mutations; at most ${MAX_LOOKUPS} per request: split it into several requests.`;
  return `${named} makes ${lookups} asset lookups (asset, assets, _entities); at most ${MAX_LOOKUPS} per request: split it into several requests, or page with assets(first, after).`;
}

/**
 * How many assets a field's selection is answered for: a page of `assets` as many as `first` may bring,
 * `_entities` as many representations as it is given (MAX_REPRESENTATIONS when they are a variable).
 */
function pageSize(field: FieldNode): number {
  const argument = (name: string) => field.arguments?.find((a) => a.name.value === name)?.value;
  if (field.name.value === '_entities') {
    const representations = argument('representations');
    return representations?.kind === Kind.LIST ? Math.max(representations.values.length, 1) : MAX_REPRESENTATIONS;
  }
  if (field.name.value !== 'assets') return 1;
  const first = argument('first');
  if (!first) return DEFAULT_PAGE_SIZE;
  // A page larger than the maximum is refused when it runs, with its own message: count it as the maximum.
  const size = first.kind === Kind.INT ? Number(first.value) : NaN;
  return Number.isFinite(size) ? Math.min(Math.max(size, 1), MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
}

/**
 * Sums `cost` over the fields of a selection set; `cost` calls `inner` for the count of the field's own
 * selection set when it wants it. A fragment counts where it is spread, computed once per document
 * (memoized), so fragments spread into fragments are counted in linear time. A fragment spread inside
 * itself counts 0 there: NoFragmentCycles refuses that document anyway, this only keeps the count finite.
 */
class Counter {
  private readonly done = new Map<string, number>();
  private readonly counting = new Set<string>();

  constructor(
    private readonly fragments: (name: string) => FragmentDefinitionNode | null | undefined,
    private readonly cost: (field: FieldNode, inner: () => number) => number,
  ) {}

  count(selectionSet: SelectionSetNode | undefined): number {
    let total = 0;
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD) total += this.cost(selection, () => this.count(selection.selectionSet));
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += this.count(selection.selectionSet);
      else total += this.fragment(selection.name.value);
    }
    return total;
  }

  private fragment(name: string): number {
    const known = this.done.get(name);
    if (known !== undefined) return known;
    const fragment = this.fragments(name);
    if (!fragment || this.counting.has(name)) return 0;
    this.counting.add(name);
    const total = this.count(fragment.selectionSet);
    this.counting.delete(name);
    this.done.set(name, total);
    return total;
  }
}

/** graphql-js's words for a query over MAX_TOKENS ("Syntax Error: Document contains more that ..."), said as what to do. */
export function explainTokenLimit(error: GraphQLError): GraphQLError {
  if (!error.message.endsWith(`contains more that ${MAX_TOKENS} tokens. Parsing aborted.`)) return error;
  return new GraphQLError(`The query is longer than ${MAX_TOKENS} tokens (names, values and punctuation); at most ${MAX_FIELDS} fields and ${MAX_LOOKUPS} asset lookups per request: split it into several requests.`);
}

/**
 * Mercurius takes a query text that does not parse as GraphQL for a ready-made document (JSON.parse) and
 * validates and runs that. Such a document has passed no parser: no token limit, and values the parser
 * never gives (`first: "100x"`, which counted as no page at all and ran as 100). Only the parser's
 * documents, which carry its Location, are accepted. For Mercurius's preValidation hook: once per text.
 */
export function refuseUnparsedDocument(document: DocumentNode): void {
  if (document?.loc instanceof Location) return;
  throw new GraphQLError('The query is not GraphQL text: send the operation as GraphQL in "query" (JSON) or as the whole body (Content-Type application/graphql); a JSON document (AST) is not accepted.');
}
