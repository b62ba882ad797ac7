import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PennyError } from '../../contract/errors.js';
import {
  NETWORK_MAX_CHUNK_BYTES,
  NetworkAlertsPage,
  NetworkCaseIntake,
  NetworkCaseIntakeResponse,
  NetworkCaseStatus,
  NetworkChunkQuery,
  NetworkChunkResponse,
  NetworkCursorQuery,
  NetworkLedger,
  NetworkNoticeRequest,
  NetworkNoticeResponse,
  NetworkPairRequest,
  NetworkPairResponse,
  NetworkSupportRequest,
  NetworkSupportResponse,
  NetworkWatchlistPage,
} from '../../contract/network.js';
import { audit, type Net } from './context.js';
import { caseStatus, intakeCase, writeChunk } from './cases.js';
import { alertsPage, watchlistPage } from './offenders.js';
import { createNotice, storeLedger } from './recovery.js';
import { authenticateStation, pairStation, stationIdentities } from './tenancy.js';
import { newId } from './util.js';
import { checkOutput, parseInput } from './validate.js';

const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name] ?? '';

/** The station API. Every route but pairing needs a station key and sees only its own store and region. */
export function registerApi(app: FastifyInstance, net: Net) {
  const station = (req: FastifyRequest) => authenticateStation(net.db, req.headers.authorization);
  const intakeStation = stationIdentities(net.db);

  app.post('/v1/pair', async (req) => {
    const body = parseInput(NetworkPairRequest, req.body, 'request body');
    return checkOutput(NetworkPairResponse, await pairStation(net, body.code, body.stationName));
  });

  app.post('/v1/cases', async (req, reply) => {
    const st = await intakeStation(req.headers.authorization);
    const body = parseInput(NetworkCaseIntake, req.body, 'request body');
    const key = req.headers['idempotency-key'];
    const out = await intakeCase(net, st, Array.isArray(key) ? key[0] : key, body);
    reply.code(out.replayed ? 200 : 201);
    return checkOutput(NetworkCaseIntakeResponse, out);
  });

  app.get('/v1/cases/:id/status', async (req) => {
    const st = await station(req);
    return checkOutput(NetworkCaseStatus, await caseStatus(net.db, st.storeId, param(req, 'id')));
  });

  // Resumable upload: GET tells where to continue, PUT appends at ?offset=.
  app.get('/v1/cases/:id/evidence/:evidenceId', async (req) => {
    const st = await station(req);
    const s = await caseStatus(net.db, st.storeId, param(req, 'id'));
    const ev = s.evidence.find((e) => e.id === param(req, 'evidenceId'));
    if (!ev) throw new PennyError('not_found', `no evidence ${param(req, 'evidenceId')} in case ${s.id}`, { field: 'evidenceId' });
    return checkOutput(NetworkChunkResponse, ev);
  });

  app.put('/v1/cases/:id/evidence/:evidenceId', { bodyLimit: NETWORK_MAX_CHUNK_BYTES + 1024 }, async (req) => {
    const st = await station(req);
    const q = parseInput(NetworkChunkQuery, req.query, 'query');
    if (!Buffer.isBuffer(req.body)) throw new PennyError('invalid_input', 'send the chunk as Content-Type: application/octet-stream', { field: 'Content-Type' });
    return checkOutput(NetworkChunkResponse, await writeChunk(net, st, param(req, 'id'), param(req, 'evidenceId'), q.offset, req.body));
  });

  app.get('/v1/watchlist', async (req) => {
    const st = await station(req);
    const q = parseInput(NetworkCursorQuery, req.query, 'query');
    return checkOutput(NetworkWatchlistPage, await watchlistPage(net, st.regionId, q.cursor, q.limit));
  });

  app.get('/v1/alerts', async (req) => {
    const st = await station(req);
    const q = parseInput(NetworkCursorQuery, req.query, 'query');
    return checkOutput(NetworkAlertsPage, await alertsPage(net, st.regionId, q.cursor, q.limit));
  });

  app.get('/v1/ledger', async (req) => {
    const st = await station(req);
    return checkOutput(NetworkLedger, await storeLedger(net.db, st.storeId));
  });

  app.post('/v1/notices', async (req, reply) => {
    const st = await station(req);
    const body = parseInput(NetworkNoticeRequest, req.body, 'request body');
    reply.code(201);
    return checkOutput(NetworkNoticeResponse, await createNotice(net, st, body.caseId));
  });

  app.post('/v1/support', async (req, reply) => {
    const st = await station(req);
    const body = parseInput(NetworkSupportRequest, req.body, 'request body');
    const now = net.now();
    const id = newId('sup');
    await net.db.transaction().execute(async (trx) => {
      await trx.insertInto('support_requests').values({ id, store_id: st.storeId, station_id: st.stationId, topic: body.topic, message: body.message, created_at: now }).execute();
      await trx.insertInto('notifications').values({ id: newId('ntf'), audience: 'ops', store_id: st.storeId, user_id: null, kind: 'support.requested', message: `Support request ${id} (${body.topic}).`, created_at: now }).execute();
      await audit(trx, now, `station:${st.stationId}`, 'support.requested', 'support', id, { topic: body.topic });
    });
    reply.code(201);
    return checkOutput(NetworkSupportResponse, { id, receivedAt: now });
  });
}
