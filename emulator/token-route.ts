import type { EmulatorContext } from './context';
import { header, json, type EmulatorRequest, type Reply } from './http';

/**
 * `POST /token`: Maskinporten's JWT-grant endpoint (form-encoded `grant_type` + `assertion`). Errors use
 * Maskinporten's `{error, error_description}` shape and never echo the assertion.
 */
export function tokenHandler(ctx: EmulatorContext) {
  return async (req: EmulatorRequest): Promise<Reply> => {
    const noStore = { 'Cache-Control': 'no-store' };
    const contentType = header(req, 'Content-Type') ?? '';
    if (req.bodyTooLarge || !/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
      ctx.auth.grantsRejected++;
      return json(
        400,
        { error: 'invalid_request', error_description: 'Expected an application/x-www-form-urlencoded body' },
        noStore,
      );
    }
    const outcome = await ctx.auth.grant(new URLSearchParams(req.body.toString('utf8')));
    return json(outcome.ok ? 200 : 400, outcome.body, noStore);
  };
}
