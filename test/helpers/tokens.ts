import { Lexer, Source, TokenKind } from 'graphql';

/** Lexical tokens in a document as graphql-js's parser counts them for `maxTokens` (commas and comments are not). */
export function countTokens(source: string): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count++;
  return count;
}
