export * from './zarinpal.emulator';
