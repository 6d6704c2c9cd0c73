import { MarzbanEmulator, type MarzbanEmulatorOptions } from './marzban.emulator';
import type { PanelEmulator, PanelEmulatorType } from './panel-emulator.base';
import { RemnawaveEmulator, type RemnawaveEmulatorOptions } from './remnawave.emulator';
import { XuiEmulator, type XuiEmulatorOptions } from './xui.emulator';

export type AnyPanelEmulatorOptions = RemnawaveEmulatorOptions & MarzbanEmulatorOptions & XuiEmulatorOptions;

/** A not yet started emulator of the given panel type. */
export function createPanelEmulator(type: PanelEmulatorType, options: AnyPanelEmulatorOptions = {}): PanelEmulator {
  switch (type) {
    case 'remnawave':
      return new RemnawaveEmulator(options);
    case 'marzban':
      return new MarzbanEmulator(options);
    case 'xui':
      return new XuiEmulator(options);
  }
}
