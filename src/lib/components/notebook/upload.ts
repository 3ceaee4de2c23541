// Uploads one file with progress (XMLHttpRequest reports upload progress; fetch does not).
export type UploadedFile = {
  id: string;
  tableName: string;
  originalName: string;
  rowCount: number;
  sizeBytes: number;
  columns: { name: string; type: string }[];
};

export function uploadFile(
  workspaceId: string,
  file: File,
  onProgress: (fraction: number) => void
): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?workspace=${workspaceId}&name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('x-sheaf-upload', '1');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: { file?: UploadedFile; error?: { message?: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: fall through to the generic message
      }
      if (xhr.status === 201 && body.file) resolve(body.file);
      else reject(new Error(body.error?.message ?? `The upload failed (HTTP ${xhr.status}).`));
    };
    xhr.onerror = () =>
      reject(new Error('The connection dropped during the upload. Nothing was stored; try again.'));
    xhr.send(file);
  });
}

export function humanBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}
