export * from './operator-alert';
export * from './operator-alerts.service';
