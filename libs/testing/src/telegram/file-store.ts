import { createHash, randomBytes } from 'node:crypto';
import { extname } from 'node:path';
import { badRequest } from './bot-api-error';
import type { Document, PhotoSize, TelegramFile } from './bot-api-types';

export type FileKind = 'photo' | 'document';

export interface StoredFile {
  fileId: string;
  fileUniqueId: string;
  botId: number;
  kind: FileKind;
  /** Undefined for files "sent" by URL: the emulator has no internet to fetch them. */
  bytes: Buffer | undefined;
  filePath: string;
  fileName?: string;
  mimeType?: string;
  /** For photos: every size of the same photo, smallest first. */
  photo?: PhotoSize[];
  document?: Document;
}

/** What the file is, for `file_unique_id`: its bytes, or the URL it came from. */
export type FileContent = { bytes: Buffer } | { url: string };

const PHOTO_SIZES: ReadonlyArray<readonly [number, number]> = [
  [90, 68],
  [320, 240],
  [800, 600],
];

const base64url = (buffer: Buffer): string => buffer.toString('base64url');

/**
 * Files are addressed like Telegram's: a `file_id` is valid only for the bot that received or sent it,
 * while `file_unique_id` is derived from the content and so is the same for the same bytes everywhere.
 */
export class FileStore {
  private readonly byId = new Map<string, StoredFile>();
  private readonly byPath = new Map<string, StoredFile>();
  private sequence = 0;

  clear(): void {
    this.byId.clear();
    this.byPath.clear();
  }

  addPhoto(botId: number, content: FileContent): PhotoSize[] {
    const key = contentKey(content);
    const bytes = 'bytes' in content ? content.bytes : undefined;
    const sizes: PhotoSize[] = PHOTO_SIZES.map(([width, height], index) => ({
      file_id: this.newFileId('AgACAgIAAxkBAAI', botId),
      file_unique_id: uniqueId('AQAD', `${key}:${index}`),
      width,
      height,
      ...(bytes ? { file_size: bytes.length } : {}),
    }));
    for (const size of sizes) {
      this.store({
        fileId: size.file_id,
        fileUniqueId: size.file_unique_id,
        botId,
        kind: 'photo',
        bytes,
        filePath: `photos/file_${++this.sequence}.jpg`,
        mimeType: 'image/jpeg',
        photo: sizes,
      });
    }
    return sizes;
  }

  addDocument(
    botId: number,
    content: FileContent,
    fileName: string | undefined,
    mimeType: string | undefined,
  ): Document {
    const bytes = 'bytes' in content ? content.bytes : undefined;
    const name = fileName ?? ('url' in content ? content.url.split('/').pop() || 'file' : 'file');
    const document: Document = {
      file_id: this.newFileId('BQACAgIAAxkBAAI', botId),
      file_unique_id: uniqueId('AgAD', contentKey(content)),
      file_name: name,
      mime_type: mimeType ?? 'application/octet-stream',
      ...(bytes ? { file_size: bytes.length } : {}),
    };
    this.store({
      fileId: document.file_id,
      fileUniqueId: document.file_unique_id,
      botId,
      kind: 'document',
      bytes,
      filePath: `documents/file_${++this.sequence}${extname(name).slice(0, 10)}`,
      fileName: name,
      mimeType: document.mime_type,
      document,
    });
    return document;
  }

  /** Resolves a file_id the given bot may use; a foreign or unknown id fails as in Telegram. */
  resolve(botId: number, fileId: string): StoredFile {
    const file = this.byId.get(fileId);
    if (!file || file.botId !== botId) throw badRequest('wrong file identifier/HTTP URL specified');
    return file;
  }

  find(fileId: string): StoredFile | undefined {
    return this.byId.get(fileId);
  }

  findByPath(botId: number, filePath: string): StoredFile | undefined {
    return this.byPath.get(`${botId}/${filePath}`);
  }

  describe(file: StoredFile): TelegramFile {
    const result: TelegramFile = { file_id: file.fileId, file_unique_id: file.fileUniqueId, file_path: file.filePath };
    if (file.bytes) result.file_size = file.bytes.length;
    return result;
  }

  private store(file: StoredFile): void {
    this.byId.set(file.fileId, file);
    this.byPath.set(`${file.botId}/${file.filePath}`, file);
  }

  private newFileId(prefix: string, botId: number): string {
    const unique = Buffer.alloc(20);
    unique.writeUInt32BE(++this.sequence);
    unique.writeUInt32BE(botId % 0x100000000, 4);
    randomBytes(12).copy(unique, 8);
    return prefix + base64url(unique);
  }
}

function contentKey(content: FileContent): string {
  if ('url' in content) return `url:${content.url}`;
  return createHash('sha256').update(content.bytes).digest('hex');
}

function uniqueId(prefix: string, key: string): string {
  return prefix + base64url(createHash('sha256').update(key).digest()).slice(0, 12);
}
