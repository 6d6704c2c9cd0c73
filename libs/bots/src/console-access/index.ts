export * from './console-links.service';
export * from './receipt-photos.service';
export * from './console-access.module';
