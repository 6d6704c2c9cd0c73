export * from './crypto-pay.emulator';
