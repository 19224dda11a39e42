import Fastify from 'fastify';
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (req, payload, done) => { const c = []; payload.on('data', (d) => c.push(d)); payload.on('end', () => { try { done(null, JSON.parse(Buffer.concat(c).toString())); } catch (e) { done(e); } }); });
app.post('/v1/track', async () => ({ success: true }));
await app.listen({ port: 18283, host: '127.0.0.1' });
process.on('SIGINT', () => process.exit(0));
