import { composeServices } from '@apollo/composition';
import { Kind, parse, print, visit } from 'graphql';

/** `@apollo/composition` does not export the class from its index; its shape is what the result carries. */
export type CompositionHint = NonNullable<ReturnType<typeof composeServices>['hints']>[number];

export interface SubgraphSource {
  name: string;
  /** The subgraph's GraphQL endpoint, as the gateway will call it. */
  url: string;
  /** The SDL the subgraph serves from `_service { sdl }`. */
  sdl: string;
}

/**
 * Composition hints someone looked at and decided to accept. Composition currently emits none for these two
 * subgraphs; a new hint fails the composition test (and is logged by `npm run supergraph`) until it is fixed or added
 * here with the reason it is acceptable. Match on the hint code and, where the code is broad, on the message.
 *
 *   { code: 'INCONSISTENT_BUT_COMPATIBLE_FIELD_TYPE', message: /"PageInfo\.hasNextPage"/, why: 'nullable in X on purpose: ...' },
 */
export const ACCEPTED_HINTS: readonly { code: string; message?: RegExp; why: string }[] = [];

export interface Composed {
  supergraphSdl: string;
  hints: CompositionHint[];
  /** Hints not covered by ACCEPTED_HINTS. */
  unacceptedHints: CompositionHint[];
}

export class CompositionFailed extends Error {
  constructor(readonly messages: string[]) {
    super(`supergraph composition failed:\n- ${messages.join('\n- ')}`);
    this.name = 'CompositionFailed';
  }
}

/** Composes with `@apollo/composition` (what `rover supergraph compose` runs), throwing on any composition error. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): Composed {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors)
    throw new CompositionFailed(result.errors.map((e) => `${String(e.extensions.code)}: ${e.message}`));
  const hints = result.hints ?? [];
  return { supergraphSdl: result.supergraphSdl, hints, unacceptedHints: hints.filter((h) => !isAccepted(h)) };
}

function isAccepted(hint: CompositionHint): boolean {
  return ACCEPTED_HINTS.some((a) => a.code === hint.definition.code && (!a.message || a.message.test(hint.message)));
}

const SECURITY_SPECS = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\/v/;

/**
 * `@apollo/gateway` refuses a supergraph that links `@authenticated` / `@requiresScopes` `for: SECURITY`
 * (UNSUPPORTED_LINKED_FEATURE: it cannot enforce them, and `for: SECURITY` tells a router that cannot to refuse to
 * serve). This subgraph enforces both directives itself on every request, so for the local gateway only, the
 * `for:` argument is dropped and the directives become plain metadata. The GraphOS Router enforces them as well and
 * takes the composed SDL unchanged; never hand this rewritten SDL to a production router.
 */
export function forApolloGateway(supergraphSdl: string): string {
  const doc = visit(parse(supergraphSdl), {
    Directive(node) {
      if (node.name.value !== 'link') return undefined;
      const url = node.arguments?.find((a) => a.name.value === 'url');
      if (!url || url.value.kind !== Kind.STRING || !SECURITY_SPECS.test(url.value.value)) return undefined;
      return { ...node, arguments: (node.arguments ?? []).filter((a) => a.name.value !== 'for') };
    },
  });
  return print(doc);
}
