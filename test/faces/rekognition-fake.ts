import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Amazon Rekognition that speaks AWS JSON 1.1 (POST /, X-Amz-Target:
 * RekognitionService.<Op>, SigV4 Authorization) with response shapes as the service returns them.
 * It keeps collections and indexed faces; which faces a search matches is set by the test
 * (`nextMatches`), since the fake has no face model of its own.
 */
export interface FakeCall {
  op: string;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

const box = { Width: 0.7, Height: 0.8, Left: 0.15, Top: 0.1 };
const faceDetail = (confidence = 99.99) => ({
  BoundingBox: box,
  Landmarks: [
    { Type: 'eyeLeft', X: 0.38, Y: 0.4 },
    { Type: 'eyeRight', X: 0.62, Y: 0.4 },
    { Type: 'nose', X: 0.5, Y: 0.55 },
  ],
  Pose: { Roll: -1.7, Yaw: 4.2, Pitch: -6.3 },
  Quality: { Brightness: 78.4, Sharpness: 89.9 },
  Confidence: confidence,
});

export class RekognitionFake {
  server: Server;
  calls: FakeCall[] = [];
  collections = new Map<string, Map<string, { FaceId: string; ImageId: string; ExternalImageId?: string }>>();
  /** Faces DetectFaces reports per image (1 by default). */
  facesPerImage = 1;
  /** What the next SearchFacesByImage returns: FaceIds and similarities. */
  nextMatches: { faceId: string; similarity: number }[] = [];
  /** Answer every call as AWS does when the session token has expired. */
  expired = false;

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
          res.end(JSON.stringify(body));
        };
        const fail = (status: number, type: string, message: string) => reply(status, { __type: `com.amazon.coral.service#${type}`, message });
        if (req.method !== 'POST' || req.url !== '/' || !target.startsWith('RekognitionService.')) return fail(404, 'UnknownOperationException', 'unknown operation');
        if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return fail(400, 'SerializationException', 'wrong content type');
        if (!/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/[a-z0-9-]+\/rekognition\/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$/.test(String(req.headers.authorization))) {
          return fail(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
        }
        const op = target.slice('RekognitionService.'.length);
        let body: any;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return fail(400, 'SerializationException', 'body is not JSON');
        }
        this.calls.push({ op, body, headers: req.headers });
        if (this.expired) return fail(400, 'ExpiredTokenException', 'The security token included in the request is expired');
        const image = body.Image?.Bytes ? Buffer.from(body.Image.Bytes, 'base64') : undefined;
        if (['DetectFaces', 'IndexFaces', 'SearchFacesByImage'].includes(op) && !(image && image[0] === 0xff && image[1] === 0xd8)) {
          return fail(400, 'InvalidImageFormatException', 'Request has invalid image format');
        }
        const coll = body.CollectionId ? this.collections.get(body.CollectionId) : undefined;
        const needColl = () => fail(400, 'ResourceNotFoundException', `The collection id: ${body.CollectionId} does not exist`);
        switch (op) {
          case 'CreateCollection':
            if (coll) return fail(400, 'ResourceAlreadyExistsException', `The collection id: ${body.CollectionId} already exists`);
            this.collections.set(body.CollectionId, new Map());
            return reply(200, { StatusCode: 200, CollectionArn: `aws:rekognition:us-east-1:123456789012:collection/${body.CollectionId}`, FaceModelVersion: '7.0' });
          case 'DetectFaces':
            return reply(200, { FaceDetails: Array.from({ length: this.facesPerImage }, () => faceDetail()) });
          case 'IndexFaces': {
            if (!coll) return needColl();
            const face = { FaceId: randomUUID(), ImageId: randomUUID(), ExternalImageId: body.ExternalImageId };
            coll.set(face.FaceId, face);
            return reply(200, {
              FaceRecords: [{ Face: { ...face, BoundingBox: box, Confidence: 99.99, IndexFacesModelVersion: '7.0' }, FaceDetail: faceDetail() }],
              FaceModelVersion: '7.0',
              UnindexedFaces: [],
            });
          }
          case 'SearchFacesByImage': {
            if (!coll) return needColl();
            const matches = this.nextMatches
              .filter((m) => coll.has(m.faceId) && m.similarity >= (body.FaceMatchThreshold ?? 80))
              .slice(0, body.MaxFaces ?? 4096)
              .map((m) => ({ Similarity: m.similarity, Face: { ...coll.get(m.faceId)!, BoundingBox: box, Confidence: 99.98, IndexFacesModelVersion: '7.0' } }));
            return reply(200, { SearchedFaceBoundingBox: box, SearchedFaceConfidence: 99.97, FaceMatches: matches, FaceModelVersion: '7.0' });
          }
          case 'DeleteFaces': {
            if (!coll) return needColl();
            const ids: string[] = body.FaceIds ?? [];
            const deleted = ids.filter((id) => coll.delete(id));
            return reply(200, {
              DeletedFaces: deleted,
              UnsuccessfulFaceDeletions: ids.filter((id) => !deleted.includes(id)).map((FaceId) => ({ FaceId, Reasons: ['ASSOCIATED_TO_AN_EXISTING_USER'] })),
            });
          }
          default:
            return fail(400, 'UnknownOperationException', `no ${op}`);
        }
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
  ops(): string[] {
    return this.calls.map((c) => c.op);
  }
}
