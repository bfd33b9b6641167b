// What waits on the device, in IndexedDB: the queue of reports not yet answered, and their photos
// as Blobs (localStorage holds text only, and too little). It survives a browser restart. iOS Safari closes IndexedDB connections under memory pressure (enketo #1576): a closed connection
// is dropped and the operation tried once more on a new one.

const DB_NAME = 'sentinel-forms'
type Store = 'photos' | 'queue'

let connection: Promise<IDBDatabase> | undefined

function connect(): Promise<IDBDatabase> {
  connection ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 2)
    request.onupgradeneeded = () => {
      for (const store of ['photos', 'queue'] as const)
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store)
    }
    request.onsuccess = () => {
      const db = request.result
      db.onclose = () => {
        connection = undefined
      }
      db.onversionchange = () => {
        db.close()
        connection = undefined
      }
      resolve(db)
    }
    request.onerror = () => {
      connection = undefined
      reject(request.error)
    }
  })
  return connection
}

export async function run<T>(name: Store, mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const db = await connect()
      return await new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(name, mode)
        const request = operation(transaction.objectStore(name))
        transaction.oncomplete = () => resolve(request.result)
        transaction.onerror = () => reject(transaction.error)
        transaction.onabort = () => reject(transaction.error ?? new Error('aborted'))
      })
    } catch (error) {
      connection = undefined
      if (attempt >= 1) throw error
    }
  }
}

const newId = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')

/** Keeps a photo on the device; its id names it in the queued report. */
export async function savePhoto(blob: Blob): Promise<string> {
  const id = newId()
  await run('photos', 'readwrite', (store) => store.put(blob, id))
  return id
}

export const loadPhoto = async (id: string): Promise<Blob | undefined> =>
  ((await run('photos', 'readonly', (store) => store.get(id))) as Blob | undefined) ?? undefined

export const deletePhoto = async (id: string): Promise<void> => {
  await run('photos', 'readwrite', (store) => store.delete(id))
}
