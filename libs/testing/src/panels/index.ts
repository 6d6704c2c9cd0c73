export * from './panel-emulator.base';
export * from './remnawave.emulator';
export * from './marzban.emulator';
export * from './xui.emulator';
export * from './create-panel-emulator';
