// Routes of passive sign-in (PROTOCOL-2 §3.4): the pool's PassiveAuth.aspx and the fake AD FS.
// Served only when the pool offers the passive grant; otherwise these paths do not exist (404).

import { adfsCancel, adfsGet, adfsPost, ADFS_CANCEL_PATH } from './adfs.ts';
import { UcwaError } from './errors.ts';
import type { Ctx, Reply } from './model.ts';
import { ADFS_PATH, PASSIVE_AUTH_PATH, passiveAuthGet, passiveAuthPost, passiveOffered } from './passiveAuth.ts';
import type { Sim } from './sim.ts';

const norm = (p: string): string => p.toLowerCase().replace(/\/+$/, '');

/** The answer for a passive sign-in path, or undefined when `ctx` is not one. */
export function passiveRoute(sim: Sim, ctx: Ctx): Reply | undefined {
  if (!passiveOffered(sim)) return undefined;
  const path = norm(ctx.path);
  const method = ctx.method;
  if (path === norm(PASSIVE_AUTH_PATH)) {
    if (method === 'GET') return passiveAuthGet(sim, ctx);
    if (method === 'POST') return passiveAuthPost(sim, ctx);
    throw new UcwaError(405);
  }
  if (path === norm(ADFS_PATH)) {
    if (method === 'GET') return adfsGet(sim, ctx);
    if (method === 'POST') return adfsPost(sim, ctx);
    throw new UcwaError(405);
  }
  if (path === norm(ADFS_CANCEL_PATH)) {
    if (method === 'GET') return adfsCancel(sim, ctx);
    throw new UcwaError(405);
  }
  return undefined;
}
