jest.setTimeout(300000);
