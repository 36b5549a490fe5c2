import {
  defaultFieldResolver,
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
    for (const field of Object.values(type.getFields())) {
      // Federation forbids these directives on interfaces, so the object type and its fields say it all.
      const rule = mergeRules(typeRule, ruleFrom(field.astNode?.directives ?? []));
      if (!rule) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const caller = callerOf(context);
        if (!caller.devMode) {
          if (!caller.authenticated) throw unauthenticated(`Authentication required for ${type.name}.${field.name}`);
          if (rule.scopes && !hasScopes(caller, rule.scopes)) {
            throw forbidden(`Missing scope for ${type.name}.${field.name}: ${describe(rule.scopes)}`);
          }
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
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
