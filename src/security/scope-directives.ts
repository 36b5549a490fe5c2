import {
  defaultFieldResolver,
  getNamedType,
  isObjectType,
  valueFromASTUntyped,
  type DirectiveNode,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { forbidden, unauthenticated } from '../errors';
import { hasScopes, type Caller } from './caller';

/**
 * Enforces the schema's own `@authenticated` and `@requiresScopes` inside the subgraph. Routers enforce them too, but
 * a subgraph can be called directly, so this is the check that counts. Hand-written: Apollo's directives are only
 * metadata in `@apollo/subgraph`, and graphql-tools' auth helpers target other directive shapes.
 * A field the caller may not see resolves to an error at its own path; the rest of the response stands.
 */
export function enforceScopeDirectives(schema: GraphQLSchema, callerOf: (context: unknown) => Caller): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRule = ruleFrom(typeDirectives(type));
    if (typeRule) guardReferenceResolver(type, typeRule, callerOf);
    for (const field of Object.values(type.getFields())) {
      // Federation forbids these directives on interfaces, so the object type and its fields say it all. A type's
      // rule also guards every field that returns it (as routers apply it), so a field that would look the type up
      // (PreRegistration.vehicle) is refused before the lookup, and found and not found answer alike.
      const returned = getNamedType(field.type);
      const returnedRule = isObjectType(returned) && returned !== type ? ruleFrom(typeDirectives(returned)) : undefined;
      const rule = mergeRules(mergeRules(typeRule, ruleFrom(field.astNode?.directives ?? [])), returnedRule);
      if (!rule) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        check(callerOf(context), rule, `${type.name}.${field.name}`);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

function check(caller: Caller, rule: Rule, what: string): void {
  if (caller.devMode) return;
  if (!caller.authenticated) throw unauthenticated(`Authentication required for ${what}`);
  if (rule.scopes && !hasScopes(caller, rule.scopes)) {
    throw forbidden(`Missing scope for ${what}: ${describe(rule.scopes)}`);
  }
}

/**
 * A type-level rule also guards the entity's reference resolver (`@apollo/subgraph` keeps it in the type's
 * `extensions.apollo.subgraph.resolveReference`), so `_entities` for a caller without the scope is refused before any
 * upstream call.
 */
function guardReferenceResolver(type: GraphQLObjectType, rule: Rule, callerOf: (context: unknown) => Caller): void {
  type ReferenceResolver = (reference: unknown, context: unknown, info: unknown) => unknown;
  const subgraph = (type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } }).apollo
    ?.subgraph;
  const resolveReference = subgraph?.resolveReference;
  if (!subgraph || !resolveReference) return;
  subgraph.resolveReference = async (reference, context, info) => {
    check(callerOf(context), rule, type.name);
    return resolveReference(reference, context, info);
  };
}
/** Directives on the type's definition and on every `extend type` of it. */
function typeDirectives(type: GraphQLObjectType): DirectiveNode[] {
  return [type.astNode, ...type.extensionASTNodes].flatMap((node) => [...(node?.directives ?? [])]);
}

interface Rule {
  authenticated: boolean;
  scopes?: string[][];
}

function ruleFrom(directives: readonly DirectiveNode[]): Rule | undefined {
  let rule: Rule | undefined;
  for (const d of directives) {
    if (d.name.value === 'authenticated') rule = { ...rule, authenticated: true };
    if (d.name.value === 'requiresScopes') {
      const arg = d.arguments?.find((a) => a.name.value === 'scopes');
      const scopes = arg ? (valueFromASTUntyped(arg.value) as string[][]) : [];
      rule = { ...rule, authenticated: true, scopes };
    }
  }
  return rule;
}

/** A type-level rule and a field-level rule both apply (AND). */
function mergeRules(a: Rule | undefined, b: Rule | undefined): Rule | undefined {
  if (!a) return b;
  if (!b) return a;
  if (!a.scopes || !b.scopes) return { authenticated: true, scopes: a.scopes ?? b.scopes };
  return { authenticated: true, scopes: a.scopes.flatMap((x) => b.scopes!.map((y) => [...x, ...y])) };
}

function describe(scopes: string[][]): string {
  return scopes.map((all) => all.join(' and ')).join(' or ');
}
