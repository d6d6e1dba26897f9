import { exportAndDownload, pushToRegistry, triggerDownload } from '../actions';
import { json, ScriptedServer } from './fixtures';

describe('exportAndDownload', () => {
  it('when the export succeeds then downloads the bundle from its URL with the token, and says what it exported', async () => {
    const server = new ScriptedServer().answer(
      json(201, { bundle: 'churn.zip', download: 'aigov/bundle?path=churn.ipynb&name=churn.zip', records: 3, signer: 'SHA256:ab' })
    );
    const download = jest.fn();
    const text = await exportAndDownload(server.client('http://h/', 'tok'), 'churn.ipynb', download);
    expect(download).toHaveBeenCalledWith('http://h/aigov/bundle?path=churn.ipynb&name=churn.zip&token=tok', 'churn.zip');
    expect(text).toBe('Exported churn.zip (3 records, signed by SHA256:ab).');
  });

  it('when the export fails then nothing is downloaded and the error reaches the caller', async () => {
    const server = new ScriptedServer().answer(json(404, { message: 'No evidence for churn.ipynb yet.' }));
    const download = jest.fn();
    await expect(exportAndDownload(server.client(), 'churn.ipynb', download)).rejects.toThrow('No evidence');
    expect(download).not.toHaveBeenCalled();
  });
});

describe('pushToRegistry', () => {
  it.each([
    ['stored', 'Pushed churn.zip at http://registry/b/1.'],
    ['already held', 'The registry already held churn.zip at http://registry/b/1.']
  ])('when the registry answers %s then says so', async (status, expected) => {
    const server = new ScriptedServer().answer(json(201, { status, id: '1', url: 'http://registry/b/1', bundle: 'churn.zip' }));
    expect(await pushToRegistry(server.client(), 'churn.ipynb')).toBe(expected);
  });
});

describe('triggerDownload', () => {
  it('when called then clicks a temporary link with the download name, and removes it', () => {
    const clicked: HTMLAnchorElement[] = [];
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
      expect(document.body.contains(this)).toBe(true);
    });
    triggerDownload('http://h/aigov/bundle?name=x.zip', 'x.zip');
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('x.zip');
    expect(clicked[0].href).toBe('http://h/aigov/bundle?name=x.zip');
    expect(document.querySelector('a[download]')).toBeNull();
    click.mockRestore();
  });
});
