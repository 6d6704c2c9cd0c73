import { Group, SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useCalendar } from '../i18n/calendar';

/** fa / en / ru, and for fa the calendar (Solar Hijri or Gregorian). */
export function LanguagePicker() {
  const { t, i18n } = useTranslation();
  const [calendar, setCalendar] = useCalendar();
  return (
    <Group gap="xs" wrap="wrap">
      <SegmentedControl
        size="xs"
        aria-label={t('language')}
        value={i18n.language}
        onChange={(v) => void i18n.changeLanguage(v)}
        data={[
          { value: 'fa', label: 'فارسی' },
          { value: 'en', label: 'English' },
          { value: 'ru', label: 'Русский' },
        ]}
      />
      {i18n.language === 'fa' && (
        <SegmentedControl
          size="xs"
          aria-label={t('calendar')}
          value={calendar}
          onChange={(v) => setCalendar(v === 'gregory' ? 'gregory' : 'persian')}
          data={[
            { value: 'persian', label: t('jalali') },
            { value: 'gregory', label: t('gregorian') },
          ]}
        />
      )}
    </Group>
  );
}
