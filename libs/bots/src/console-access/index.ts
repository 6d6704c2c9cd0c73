export * from './console-links.service';
export * from './issue-owner-settings-link.use-case';
export * from './receipt-photos.service';
export * from './console-access.module';
