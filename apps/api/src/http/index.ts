export * from './fastify-http';
export * from './json-body';
export * from './multipart';
