import { DownloadOutlined } from '@ant-design/icons';
import { Typography } from 'antd';
import { useT } from '../i18n/i18n';

/**
 * The server's template (`phone,id` and nothing else): a file with a sample number in it would add
 * that number as a real member when uploaded unchanged.
 */
export const CSV_TEMPLATE_URL = '/api/v1/segments/csv-template';

/** The columns an audience CSV file takes (what CSV_COLUMNS_HELP on the server checks), said before the upload. */
export function CsvColumns() {
  const t = useT();
  return (
    <div data-testid="csv-columns">
      <Typography.Text type="secondary">{t('segments.csvColumns')}</Typography.Text>
      <ul style={{ margin: '4px 0 8px', paddingInlineStart: 18 }}>
        <li><Typography.Text code>phone</Typography.Text> <Typography.Text type="secondary">{t('segments.csvColumnPhone')}</Typography.Text></li>
        <li><Typography.Text code>id</Typography.Text> <Typography.Text type="secondary">{t('segments.csvColumnId')}</Typography.Text></li>
      </ul>
      <Typography.Paragraph type="secondary">{t('segments.csvHelp')}</Typography.Paragraph>
    </div>
  );
}

/** Downloads the template; the server names the file. */
export function CsvTemplateLink() {
  const t = useT();
  return <a href={CSV_TEMPLATE_URL} download data-testid="csv-template"><DownloadOutlined /> {t('segments.csvTemplate')}</a>;
}
