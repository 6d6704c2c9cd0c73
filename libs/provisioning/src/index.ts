export * from './panels';
export * from './provisioning.ports';
export * from './provisioning-errors';
export * from './provisioning.service';
export * from './traffic-sync.service';
export * from './subscription-views.service';
