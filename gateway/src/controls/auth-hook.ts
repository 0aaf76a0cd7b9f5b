// Gateway token check for every /v1/{gateway}/… request, before the body is read: a missing,
// wrong or revoked token costs no parsing and never reaches a provider.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.ts';
import { bearer, type TokenConfig } from './auth.ts';
import type { GatewayControls } from './gateway-controls.ts';

const TOKEN = Symbol('swy.token');
type WithToken = FastifyRequest & { [TOKEN]?: TokenConfig | null };

/** The verified token of a request (null on gateways without auth). */
export function tokenOf(req: FastifyRequest): TokenConfig | null {
  return (req as WithToken)[TOKEN] ?? null;
}

export function registerAuthHook(app: FastifyInstance, controlsOf: (gateway: string) => GatewayControls | undefined): void {
  app.addHook('onRequest', async (req) => {
    const gateway = (req.params as { gateway?: string } | undefined)?.gateway;
    if (gateway === undefined) return;
    const controls = controlsOf(gateway);
    if (!controls) return; // unknown gateway: the route answers 404
    const header = req.headers['cf-aig-authorization'];
    const presented = bearer(Array.isArray(header) ? header[0] : header);
    if (!controls.authRequired && presented === undefined) return;
    const result = controls.tokens.verify(presented);
    if (!result.ok) throw new GatewayError('SWY_UNAUTHORIZED', result.reason === 'revoked' ? 'the token was revoked' : `token ${result.reason}`);
    (req as WithToken)[TOKEN] = result.token;
  });
}
